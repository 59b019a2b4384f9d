// The capitation statement's shapes (seed 001 §三.(二)), shared by core/capitation (which computes
// them) and core/store (which keeps them).
export interface CapitationRates {
  hypertension: string;
  diabetes: string;
  source: string;
}

export interface CapitationPatient {
  psnNo: string;
  name: string;
  conditions: 'hypertension' | 'diabetes' | 'both';
  paymentMode: 'fee-for-service' | 'capitation';
  capitationInstitution: string | null;
  /** yyyy-MM the patient chose capitation (null: from the flag date's month, else always). */
  capitationStartMonth: string | null;
  flaggedDate: string | null;
  status: 'active' | 'stopped';
  stoppedDate: string | null;
}

export interface CapitationLine {
  psnNo: string;
  name: string;
  conditions: 'hypertension' | 'diabetes' | 'both';
  hypertension: string;
  diabetes: string;
  amount: string;
}

export interface CapitationComputed {
  institution: string;
  month: string;
  rates: CapitationRates;
  lines: CapitationLine[];
  heads: number;
  hypertensionHeads: number;
  diabetesHeads: number;
  hypertensionAmount: string;
  diabetesAmount: string;
  amount: string;
}
