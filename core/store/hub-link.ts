// SQL for what a counter keeps of its hub link (migration 130): the last hub figure of a patient's
// year, which figure each sale was priced from, and the trace codes the hub has not confirmed.
import { Decimal, fen } from '../money/decimal.ts';
import type { DB } from './db.ts';
import { prep } from './prepared.ts';

export interface LastHubFigure {
  /** What the group had paid (and held) for the year when the hub answered. */
  fund: string;
  /** This counter's push cursor then: its records after it are not in `fund`. */
  pushedSeq: number;
  asOf: string;
}

export function saveHubFigure(db: DB, psnNo: string, year: number, f: LastHubFigure): void {
  prep(db, `INSERT INTO hub_pool_figure (psn_no, year, fund, pushed_seq, as_of) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (psn_no, year) DO UPDATE SET fund = excluded.fund, pushed_seq = excluded.pushed_seq, as_of = excluded.as_of
    WHERE excluded.as_of >= hub_pool_figure.as_of`).run(psnNo, year, f.fund, f.pushedSeq, f.asOf);
}

export function lastHubFigure(db: DB, psnNo: string, year: number): LastHubFigure | null {
  const r = prep(db, 'SELECT fund, pushed_seq, as_of FROM hub_pool_figure WHERE psn_no = ? AND year = ?').get(psnNo, year) as
    | { fund: string; pushed_seq: number; as_of: string }
    | undefined;
  return r ? { fund: r.fund, pushedSeq: r.pushed_seq, asOf: r.as_of } : null;
}

/** Fund this counter paid a patient in a year in its records after journal seq `afterSeq` (reversals netted). */
export function fundAfterSeq(db: DB, psnNo: string, year: number, afterSeq: number): string {
  const rows = prep(db, 'SELECT fund FROM settlement WHERE seq > ? AND psn_no = ? AND settle_date >= ? AND settle_date < ?')
    .all(afterSeq, psnNo, `${year}-01-01`, `${year + 1}-01-01`) as { fund: string }[];
  return fen(rows.reduce((sum, r) => sum.plus(r.fund), new Decimal(0)));
}

export interface SettlementPoolFigure {
  source: 'group' | 'counter';
  used: string;
  /** When the hub's figure was read (the group's now, or the last one this counter had); null: never. */
  asOf: string | null;
}

/** Written in the sale's own transaction. */
export function recordSettlementPoolFigure(db: DB, settlementId: string, f: SettlementPoolFigure): void {
  prep(db, 'INSERT INTO settlement_pool_figure (settlement_id, source, used, as_of) VALUES (?, ?, ?, ?)').run(settlementId, f.source, f.used, f.asOf);
}

export function settlementPoolFigure(db: DB, settlementId: string): SettlementPoolFigure | null {
  const r = prep(db, 'SELECT source, used, as_of FROM settlement_pool_figure WHERE settlement_id = ?').get(settlementId) as
    | { source: 'group' | 'counter'; used: string; as_of: string | null }
    | undefined;
  return r ? { source: r.source, used: r.used, asOf: r.as_of } : null;
}

/** A sale's trace codes the hub has not confirmed yet (written in the sale's transaction). */
export function addPendingTraceClaims(db: DB, settlementId: string, codes: readonly string[], now: string): void {
  const ins = prep(db, `INSERT INTO hub_trace_claim (settlement_id, code, state, updated_at) VALUES (?, ?, 'pending', ?)
    ON CONFLICT (settlement_id, code) DO NOTHING`);
  for (const c of codes) ins.run(settlementId, c, now);
}

/** Pending claims, grouped by sale, oldest sale first (bounded). */
export function pendingTraceClaims(db: DB, limit = 200): { settlementId: string; codes: string[] }[] {
  const rows = prep(db, `SELECT c.settlement_id, c.code FROM hub_trace_claim c JOIN settlement s ON s.id = c.settlement_id
    WHERE c.state = 'pending' AND c.settlement_id IN (
      SELECT DISTINCT c2.settlement_id FROM hub_trace_claim c2 JOIN settlement s2 ON s2.id = c2.settlement_id WHERE c2.state = 'pending' ORDER BY s2.seq LIMIT ?)
    ORDER BY s.seq, c.rowid`).all(limit) as { settlement_id: string; code: string }[];
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.settlement_id, [...(out.get(r.settlement_id) ?? []), r.code]);
  return [...out].map(([settlementId, codes]) => ({ settlementId, codes }));
}

/** The hub's answer for a sale's pending codes: claimed, or sold elsewhere (a conflict kept for the operator). */
export function settleTraceClaims(db: DB, settlementId: string, claimed: readonly string[], refused: readonly { code: string; counterId: string; settlementId: string }[], now: string): void {
  db.transaction(() => {
    const ok = prep(db, `UPDATE hub_trace_claim SET state = 'claimed', updated_at = ? WHERE settlement_id = ? AND code = ? AND state = 'pending'`);
    for (const c of claimed) ok.run(now, settlementId, c);
    const bad = prep(db, `UPDATE hub_trace_claim SET state = 'conflict', other_counter = ?, other_settlement = ?, updated_at = ? WHERE settlement_id = ? AND code = ? AND state = 'pending'`);
    for (const r of refused) bad.run(r.counterId, r.settlementId, now, settlementId, r.code);
  })();
}

export interface TraceConflictRow { settlementId: string; receiptNo: string; settleDate: string; code: string; lineName: string | null; otherCounter: string; otherSettlement: string; foundAt: string }

/** Codes this counter sold while the hub was away that the hub says were sold elsewhere first. */
export function traceConflicts(db: DB, from?: string, to?: string): TraceConflictRow[] {
  const rows = prep(db, `SELECT c.settlement_id, s.receipt_no, s.settle_date, c.code, c.other_counter, c.other_settlement, c.updated_at,
      (SELECT l.name FROM line_trace_codes t JOIN settlement_line l ON l.id = t.line_id WHERE t.code = c.code AND t.settlement_id = c.settlement_id) AS line_name
    FROM hub_trace_claim c JOIN settlement s ON s.id = c.settlement_id
    WHERE c.state = 'conflict' AND s.settle_date >= ? AND s.settle_date <= ? ORDER BY s.seq, c.rowid`).all(from ?? '0000-00-00', to ?? '9999-99-99') as {
    settlement_id: string; receipt_no: string; settle_date: string; code: string; other_counter: string; other_settlement: string; updated_at: string; line_name: string | null;
  }[];
  return rows.map((r) => ({ settlementId: r.settlement_id, receiptNo: r.receipt_no, settleDate: r.settle_date, code: r.code, lineName: r.line_name, otherCounter: r.other_counter, otherSettlement: r.other_settlement, foundAt: r.updated_at }));
}

/** The journal's latest seq (0 when empty): a sale priced before an await checks nothing was written meanwhile. */
export function journalSeq(db: DB): number {
  return (prep(db, 'SELECT coalesce(max(seq), 0) AS n FROM settlement').get() as { n: number }).n;
}
