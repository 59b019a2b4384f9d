// How much of a sale line is left after its returns, and what a return of part of it gives back.
// Amounts are exact (decimal.js, fen half-up) and computed from what is LEFT, never per return:
// the remainder after keeping k of the n sold is the price of k (total), and the line's own
// in-scope and fund shares in proportion k/n; what a return gives back is what was left before
// less what is left after. So returned + left always adds up to the sale's line, repeated
// partial returns never round past it, and the last return takes back exactly what is left.
import { Decimal, fen } from '../money/decimal.ts';
import type { LineRow } from '../store/journal.ts';

export interface LineAmounts {
  quantity: string;
  total: string;
  in_scope: string;
  fund: string;
  patient_pay: string;
}

const D = (v: string) => new Decimal(v);

/** What is left of a sale line after the given return lines (their amounts are negative). */
export function leftOf(line: LineAmounts, returns: readonly LineAmounts[]): LineAmounts {
  const minus = (pick: (l: LineAmounts) => string) => returns.reduce((a, r) => a.plus(D(pick(r))), D(pick(line)));
  return {
    quantity: minus((l) => l.quantity).toString(),
    total: fen(minus((l) => l.total)),
    in_scope: fen(minus((l) => l.in_scope)),
    fund: fen(minus((l) => l.fund)),
    patient_pay: fen(minus((l) => l.patient_pay)),
  };
}

/**
 * What returning `quantity` of a line gives back (positive amounts), given the sale's line
 * (`sold`, with its unit price) and what is left of it now. The caller has checked that
 * 0 < quantity ≤ left.quantity.
 */
export function returnShare(sold: LineAmounts & { price: string }, left: LineAmounts, quantity: string): LineAmounts {
  const keep = D(left.quantity).minus(D(quantity));
  const n = D(sold.quantity);
  const l = { total: D(left.total), inScope: D(left.in_scope), fund: D(left.fund), patient: D(left.patient_pay) };
  let after: { total: Decimal; inScope: Decimal; fund: Decimal };
  if (keep.isZero()) {
    after = { total: D('0'), inScope: D('0'), fund: D('0') };
  } else {
    const part = (v: string) => D(fen(D(v).times(keep).dividedBy(n)));
    const total = Decimal.min(D(fen(D(sold.price).times(keep))), l.total);
    let fund = Decimal.min(part(sold.fund), l.fund, total);
    // The patient's part left may not grow (a return never takes money from the patient).
    if (total.minus(fund).greaterThan(l.patient)) fund = total.minus(l.patient);
    const inScope = Decimal.max(Decimal.min(part(sold.in_scope), l.inScope, total), fund);
    after = { total, inScope, fund };
  }
  const fundBack = l.fund.minus(after.fund);
  const patientBack = l.patient.minus(after.total.minus(after.fund));
  return {
    quantity: D(quantity).toString(),
    total: fen(fundBack.plus(patientBack)),
    in_scope: fen(l.inScope.minus(after.inScope)),
    fund: fen(fundBack),
    patient_pay: fen(patientBack),
  };
}

/**
 * The sale's lines as they stand after its return lines: quantity and amounts reduced, and the
 * lines returned in full left out (what a resettlement of the kept part sends to the platform).
 */
export function keptLines(saleLines: readonly LineRow[], returnLines: readonly LineRow[]): LineRow[] {
  const byLine = new Map<string, LineRow[]>();
  for (const r of returnLines) if (r.reverses_line_id) (byLine.get(r.reverses_line_id) ?? byLine.set(r.reverses_line_id, []).get(r.reverses_line_id)!).push(r);
  const out: LineRow[] = [];
  for (const l of saleLines) {
    const left = leftOf(l, byLine.get(l.id) ?? []);
    if (!D(left.quantity).greaterThan(0)) continue;
    out.push({ ...l, ...left });
  }
  return out;
}
