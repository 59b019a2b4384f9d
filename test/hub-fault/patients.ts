// The patients every counter of the hub fault test shares (the same 人员编号 at every counter, as
// when a group's members import one bureau roster), and the instant the counters settle at.
import { syntheticCertno } from '../../core/import/synthetic.ts';

/** The counters' clock: one calendar year, so every sale of a patient counts against one cap. */
export const FAULT_NOW = new Date('2026-03-10T02:00:00Z');

export function sharedPatientCertno(i: number): string {
  return syntheticCertno('530902', '19550101', i);
}

/** Roster rows (the bureau file's fields) for patients 0 … n-1: Lincang residents filed for both conditions. */
export function sharedRoster(n: number): Record<string, unknown>[] {
  if (n < 1 || n > 1000) throw new Error('the fault test shares 1 to 1000 patients');
  return Array.from({ length: n }, (_, i) => {
    const certno = sharedPatientCertno(i);
    return {
      psn_no: `P530902F${String(i).padStart(4, '0')}`, certno, card_no: `K${certno.slice(-8)}`, name: '共享患者', gender: Number(certno[16]) % 2 === 1 ? '1' : '2',
      birth_date: '1955-01-01', region: '530902', insutype: '390', conditions: 'both', flagged_date: '2024-03-01', flagged_by: 'bureau', status: 'active',
    };
  });
}
