// SQL for the 药品追溯码 of sold boxes (migration 101): which of some codes this counter has
// already sold, recording the codes of a sale's lines (inside the sale's transaction), and the
// codes of a settlement's lines for the read model and the platform messages.
import type { DB } from './db.ts';
import { prep } from './prepared.ts';

export interface SoldTraceCode {
  code: string;
  settlementId: string;
  receiptNo: string;
  lineName: string;
  soldAt: string;
}

/** The codes among `codes` already sold here, with the receipt they went out on. */
export function soldTraceCodes(db: DB, codes: readonly string[]): SoldTraceCode[] {
  if (codes.length === 0) return [];
  const out: SoldTraceCode[] = [];
  // Bound in chunks below SQLite's parameter limit.
  for (let i = 0; i < codes.length; i += 500) {
    const chunk = codes.slice(i, i + 500);
    const rows = db
      .prepare(
        `SELECT t.code, t.settlement_id, s.receipt_no, l.name, t.sold_at FROM line_trace_codes t
           JOIN settlement s ON s.id = t.settlement_id JOIN settlement_line l ON l.id = t.line_id
          WHERE t.code IN (${chunk.map(() => '?').join(', ')})`,
      )
      .all(...chunk) as { code: string; settlement_id: string; receipt_no: string; name: string; sold_at: string }[];
    for (const r of rows) out.push({ code: r.code, settlementId: r.settlement_id, receiptNo: r.receipt_no, lineName: r.name, soldAt: r.sold_at });
  }
  return out;
}

/** Records the codes of sold lines; the caller runs it in the sale's transaction (a code sold twice aborts it). */
export function insertTraceCodes(db: DB, rows: readonly { code: string; lineId: string; settlementId: string }[], soldAt: string): void {
  if (rows.length === 0) return;
  const ins = prep(db, `INSERT INTO line_trace_codes (code, line_id, settlement_id, sold_at) VALUES (?, ?, ?, ?)`);
  for (const r of rows) ins.run(r.code, r.lineId, r.settlementId, soldAt);
}

/** Each line's codes of a settlement, in the order scanned (rowid). */
export function traceCodesBySettlement(db: DB, settlementId: string): Map<string, string[]> {
  const rows = prep(db, `SELECT line_id, code FROM line_trace_codes WHERE settlement_id = ? ORDER BY rowid`).all(settlementId) as { line_id: string; code: string }[];
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.line_id, [...(out.get(r.line_id) ?? []), r.code]);
  return out;
}
