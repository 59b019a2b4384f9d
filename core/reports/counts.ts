// How every report counts settlements, so 结算笔数 and 结算人次 mean the same thing wherever
// they appear: a sale fully undone by its reversals in the period is not a settlement; the
// reversals themselves are counted apart (退费笔数), never netted into or added to the sales.
import { Decimal } from '../money/decimal.ts';
import type { SettlementFact } from '../store/reports.ts';

export interface SettlementCounts {
  /** 结算笔数: sales in the period, less those fully reversed. */
  settlements: number;
  /** 结算人次: distinct patient-days among those sales (two sales to one patient on one day are one visit). */
  visits: number;
  /** 退费笔数: reversal and return records in the period. */
  reversals: number;
  /** Of those, sales fully reversed (counted in neither settlements nor visits). */
  fullyReversed: number;
}

type Fact = Pick<SettlementFact, 'id' | 'kind' | 'originalId' | 'psnNo' | 'date' | 'total'>;

/** The sales of the period a reversal fully undoes (their totals net to zero). */
export function fullyReversedSales(facts: readonly Fact[]): Set<string> {
  const net = new Map<string, Decimal>();
  for (const f of facts) if (f.kind === 'sale') net.set(f.id, new Decimal(f.total));
  for (const f of facts) {
    if (f.kind === 'sale' || !f.originalId) continue;
    const n = net.get(f.originalId);
    if (n) net.set(f.originalId, n.plus(f.total));
  }
  return new Set([...net].filter(([, v]) => v.lte(0)).map(([id]) => id));
}

export function countSettlements(facts: readonly Fact[]): SettlementCounts {
  const undone = fullyReversedSales(facts);
  const sales = facts.filter((f) => f.kind === 'sale' && !undone.has(f.id));
  return {
    settlements: sales.length,
    visits: new Set(sales.map((f) => `${f.psnNo}\u0000${f.date}`)).size,
    reversals: facts.filter((f) => f.kind !== 'sale').length,
    fullyReversed: undone.size,
  };
}

/** The notes line every report with settlement counts carries (the same words everywhere). */
export const COUNTS_NOTE = '结算笔数：本期结算单数，已全额退费的结算不计；结算人次：同一患者同日多笔结算计一人次；退费笔数：本期退费（冲销）单数，单列，不与结算笔数相抵。';
