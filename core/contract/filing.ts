// A roster record as a filing reads and writes it, shared by core/filing (which plans it) and
// core/store (which keeps it).

export type ConditionName = 'hypertension' | 'diabetes';

export interface RosterState {
  psnNo: string;
  name: string;
  certno: string | null;
  gender: '1' | '2' | '9' | null;
  birthDate: string | null;
  insutype: '390' | '310';
  region: string | null;
  conditions: ConditionName[];
  managementClass: 1 | 2 | null;
  status: 'active' | 'stopped';
  flaggedDate: string | null;
  flaggedBy: string | null;
  stoppedDate: string | null;
  stoppedReason: string | null;
  /** 定点 institution where the region covers only the one the patient chose. */
  designatedInstitution?: string | null;
}
