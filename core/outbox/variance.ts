// Our split against the platform's: when a record's last message is acked, every amount that
// differs becomes a variance row (the operator sees it; the reports list it).
//   sale: setlinfo against the record, detlcutinfo (or the 2204 result) against each line;
//   reversal/return: the whole sale's chain, local net against the platform's net, since a
//   partial return is an undo plus a new settlement on the platform.
import { v7 as uuidv7 } from 'uuid';
import { Decimal, fen } from '../money/decimal.ts';
import type { DB } from '../store/db.ts';
import { getSettlement, linesOf, recordsAgainst, type SettlementRow } from '../store/journal.ts';
import { insertVariance, messagesOf, getOutboxBySettlement, platformSettlementsOf } from '../store/outbox.ts';

const FIELDS = [
  ['medfee_sumamt', 'total'],
  ['fund_pay_sumamt', 'fund'],
  ['psn_part_amt', 'patient_pay'],
  ['inscp_scp_amt', 'in_scope'],
] as const;

function differs(a: string, b: string): boolean {
  return !new Decimal(a).equals(new Decimal(b));
}

export function recordVariances(db: DB, settlementId: string, at: string): number {
  const record = getSettlement(db, settlementId);
  if (!record) return 0;
  let n = 0;
  const add = (scope: 'settlement' | 'line', lineRef: string, field: string, local: string, platform: string) => {
    if (!differs(local, platform)) return;
    insertVariance(db, {
      id: uuidv7(),
      settlement_id: settlementId,
      scope,
      line_ref: lineRef,
      field,
      local_value: fen(new Decimal(local)),
      platform_value: fen(new Decimal(platform)),
      difference: fen(new Decimal(platform).minus(new Decimal(local))),
      settle_date: record.settle_date,
      created_at: at,
    });
    n++;
  };
  if (record.kind === 'sale') {
    const p = platformSettlementsOf(db, settlementId).find((x) => x.role === 'settle');
    if (!p) return 0;
    // Only what the platform actually reported is compared (an absent field is not a zero).
    const reported = JSON.parse(p.setlinfo_json) as Record<string, unknown>;
    for (const [pf, lf] of FIELDS) if (reported[pf] !== undefined && reported[pf] !== null) add('settlement', '', pf, record[lf], p[pf]);
    const perLine = new Map<string, { det_item_fee_sumamt?: string; inscp_scp_amt?: string | null }>();
    for (const d of JSON.parse(p.detlcutinfo_json) as { feedetl_sn: string; det_item_fee_sumamt?: string; inscp_scp_amt?: string | null }[]) perLine.set(String(d.feedetl_sn), d);
    if (perLine.size === 0) {
      // Clinics: the 2204 reply carries the per-line result.
      const out = getOutboxBySettlement(db, settlementId);
      const fees = out ? messagesOf(db, out.id).find((m) => m.infno === '2204' && m.status === 'acked') : undefined;
      const result = fees?.reply_json ? ((JSON.parse(fees.reply_json) as { output?: { result?: { feedetl_sn: string; det_item_fee_sumamt?: string; inscp_scp_amt?: string }[] } }).output?.result ?? []) : [];
      for (const d of result) perLine.set(String(d.feedetl_sn), d);
    }
    for (const line of linesOf(db, settlementId)) {
      const d = perLine.get(line.feedetl_sn);
      if (!d) continue;
      if (d.det_item_fee_sumamt != null) add('line', line.feedetl_sn, 'det_item_fee_sumamt', line.total, String(d.det_item_fee_sumamt));
      if (d.inscp_scp_amt != null) add('line', line.feedetl_sn, 'inscp_scp_amt', line.in_scope, String(d.inscp_scp_amt));
    }
    return n;
  }
  // A reversal or return: compare the chain up to and including this record.
  const sale = getSettlement(db, record.original_id!)!;
  const chain: SettlementRow[] = [sale, ...recordsAgainst(db, sale.id).filter((r) => r.seq! <= record.seq!)];
  const local = { total: new Decimal(0), fund: new Decimal(0), patient_pay: new Decimal(0), in_scope: new Decimal(0) };
  const platform = { medfee_sumamt: new Decimal(0), fund_pay_sumamt: new Decimal(0), psn_part_amt: new Decimal(0), inscp_scp_amt: new Decimal(0) };
  for (const r of chain) {
    for (const [, lf] of FIELDS) local[lf] = local[lf].plus(new Decimal(r[lf]));
    for (const p of platformSettlementsOf(db, r.id)) for (const [pf] of FIELDS) platform[pf] = platform[pf].plus(new Decimal(p[pf]));
  }
  // The three amounts every settlement reply must carry (inscp_scp_amt is optional in replies).
  for (const [pf, lf] of FIELDS.slice(0, 3)) add('settlement', 'chain', pf, fen(local[lf]), fen(platform[pf]));
  return n;
}
