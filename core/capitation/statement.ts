// Capitation (按人头付费, seed 001 §三.(二)): patients who chose a township health centre or a
// community health service centre as their capitation institution are paid for per head per
// month — 30 yuan for hypertension, 70 for diabetes (both: 100) — settled monthly; a patient who
// chose capitation during the year counts from the month they chose it (按实际月份计算).
import { Decimal, fen, sum } from '../money/decimal.ts';
import { monthRange } from '../supervision/dates.ts';
import type { CapitationComputed, CapitationLine, CapitationPatient, CapitationRates } from '../contract/capitation.ts';

export type { CapitationComputed, CapitationLine, CapitationPatient, CapitationRates };

/** Per-region rates. Only Chongqing publishes them; other regions have no capitation statement. */
export const CAPITATION_RATES: Record<string, CapitationRates> = {
  chongqing: { hypertension: '30.00', diabetes: '70.00', source: 'seed 001 §三.(二): 高血压30元/人·月、糖尿病70元/人·月' },
};

/**
 * Whether the patient counts for the month: capitation at this institution, chosen in or before
 * the month, and not stopped before the month began (a stop during the month still pays that
 * month: the centre served the patient in it).
 */
export function countsFor(p: CapitationPatient, institution: string, month: string): boolean {
  if (p.paymentMode !== 'capitation' || p.capitationInstitution !== institution) return false;
  const start = p.capitationStartMonth ?? (p.flaggedDate ? p.flaggedDate.slice(0, 7) : null);
  if (start !== null && start > month) return false;
  if (p.status === 'stopped') {
    const { first } = monthRange(month);
    if (!p.stoppedDate || p.stoppedDate < first) return false;
  }
  return true;
}

export function computeCapitation(institution: string, month: string, rates: CapitationRates, patients: readonly CapitationPatient[]): CapitationComputed {
  const lines = patients
    .filter((p) => countsFor(p, institution, month))
    .sort((a, b) => a.psnNo.localeCompare(b.psnNo))
    .map((p): CapitationLine => {
      const ht = p.conditions !== 'diabetes' ? new Decimal(rates.hypertension) : new Decimal(0);
      const dm = p.conditions !== 'hypertension' ? new Decimal(rates.diabetes) : new Decimal(0);
      return { psnNo: p.psnNo, name: p.name, conditions: p.conditions, hypertension: fen(ht), diabetes: fen(dm), amount: fen(ht.plus(dm)) };
    });
  const htAmount = sum(lines.map((l) => new Decimal(l.hypertension)));
  const dmAmount = sum(lines.map((l) => new Decimal(l.diabetes)));
  return {
    institution,
    month,
    rates,
    lines,
    heads: lines.length,
    hypertensionHeads: lines.filter((l) => l.conditions !== 'diabetes').length,
    diabetesHeads: lines.filter((l) => l.conditions !== 'hypertension').length,
    hypertensionAmount: fen(htAmount),
    diabetesAmount: fen(dmAmount),
    amount: fen(htAmount.plus(dmAmount)),
  };
}
