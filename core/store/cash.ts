// SQL for cash sales (migrations 104 and 135: self-pay and out-of-area, the request's hash) and filing candidates (migration 103).
import type { DB } from './db.ts';
import { prep } from './prepared.ts';

export interface CashSaleRow {
  id: string;
  request_id: string;
  kind: 'self-pay' | 'out-of-area';
  receipt_no: string;
  sale_date: string;
  created_at: string;
  operator_id: string;
  operator_name: string;
  psn_no: string | null;
  patient_json: string;
  lines_json: string;
  total_fen: number;
  reason: string | null;
  /** Hash of the request (migration 135); null on sales recorded before it. */
  request_hash: string | null;
}

/** The next receipt number of a kind on a date: Z (自费) or Y (异地) + yyyyMMdd + 5 digits. */
export function nextCashReceiptNo(db: DB, date: string, kind: CashSaleRow['kind']): string {
  const base = `${kind === 'self-pay' ? 'Z' : 'Y'}${date.replaceAll('-', '')}`;
  const upper = base.slice(0, -1) + String.fromCharCode(base.charCodeAt(base.length - 1) + 1);
  const row = prep(db, 'SELECT receipt_no AS last FROM cash_sales WHERE receipt_no >= ? AND receipt_no < ? ORDER BY receipt_no DESC LIMIT 1').get(base, upper) as { last: string } | undefined;
  const n = row ? Number(row.last.slice(base.length)) + 1 : 1;
  return `${base}${String(n).padStart(5, '0')}`;
}

export function insertCashSale(db: DB, r: CashSaleRow): void {
  prep(
    db,
    `INSERT INTO cash_sales (id, request_id, kind, receipt_no, sale_date, created_at, operator_id, operator_name, psn_no, patient_json, lines_json, total_fen, reason, request_hash)
     VALUES (@id, @request_id, @kind, @receipt_no, @sale_date, @created_at, @operator_id, @operator_name, @psn_no, @patient_json, @lines_json, @total_fen, @reason, @request_hash)`,
  ).run(r);
}

export function cashSaleByRequest(db: DB, requestId: string): CashSaleRow | undefined {
  return prep(db, 'SELECT * FROM cash_sales WHERE request_id = ?').get(requestId) as CashSaleRow | undefined;
}

export function cashSale(db: DB, idOrReceipt: string): CashSaleRow | undefined {
  return prep(db, 'SELECT * FROM cash_sales WHERE id = ? OR receipt_no = ?').get(idOrReceipt, idOrReceipt) as CashSaleRow | undefined;
}

export function cashSalesBetween(db: DB, from: string, to: string): CashSaleRow[] {
  return prep(db, 'SELECT * FROM cash_sales WHERE sale_date >= ? AND sale_date <= ? ORDER BY receipt_no').all(from, to) as CashSaleRow[];
}

export interface CandidateRow {
  certno: string;
  name: string;
  conditions: 'hypertension' | 'diabetes' | 'both';
  drugs: string | null;
  first_seen: string;
  last_seen: string;
  operator_id: string;
}

/** Adds a person to the candidates list, or records that they were seen again (conditions widen, never narrow). */
export function upsertCandidate(db: DB, c: CandidateRow): void {
  prep(
    db,
    `INSERT INTO filing_candidates (certno, name, conditions, drugs, first_seen, last_seen, operator_id) VALUES (@certno, @name, @conditions, @drugs, @first_seen, @last_seen, @operator_id)
     ON CONFLICT (certno) DO UPDATE SET name = excluded.name, last_seen = max(last_seen, excluded.last_seen), drugs = coalesce(excluded.drugs, drugs),
       conditions = CASE WHEN conditions = excluded.conditions THEN conditions ELSE 'both' END`,
  ).run(c);
}

export function listCandidates(db: DB): CandidateRow[] {
  return prep(db, 'SELECT * FROM filing_candidates ORDER BY first_seen, certno').all() as CandidateRow[];
}
