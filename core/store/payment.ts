// SQL for payments (migration 105) and held sales (migration 106). Synchronous, bound parameters;
// insertPayment runs inside the settlement's own transaction.
import type { DB } from './db.ts';
import { prep } from './prepared.ts';

export interface PaymentRow {
  settlementId: string;
  due: string;
  received: string;
  change: string;
  /** [{ method, amount }] as JSON; the caller validates it on read. */
  methodsJson: string;
  operatorId: string;
  recordedAt: string;
}

export function insertPayment(db: DB, p: PaymentRow): void {
  prep(db, `INSERT INTO settlement_payment (settlement_id, due, received, change_given, methods_json, operator_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
    p.settlementId, p.due, p.received, p.change, p.methodsJson, p.operatorId, p.recordedAt,
  );
}

type Raw = { settlement_id: string; due: string; received: string; change_given: string; methods_json: string; operator_id: string; recorded_at: string };
const toRow = (r: Raw): PaymentRow => ({ settlementId: r.settlement_id, due: r.due, received: r.received, change: r.change_given, methodsJson: r.methods_json, operatorId: r.operator_id, recordedAt: r.recorded_at });

export function paymentOf(db: DB, settlementId: string): PaymentRow | null {
  const r = prep(db, `SELECT * FROM settlement_payment WHERE settlement_id = ?`).get(settlementId) as Raw | undefined;
  return r ? toRow(r) : null;
}

/** The refunds already recorded against a sale (its returns' payment rows). */
export function refundsOf(db: DB, saleId: string): PaymentRow[] {
  return (prep(db, `SELECT p.* FROM settlement_payment p JOIN settlement s ON s.id = p.settlement_id WHERE s.original_id = ? ORDER BY s.seq`).all(saleId) as Raw[]).map(toRow);
}

export interface ShiftRecordRow {
  id: string;
  kind: 'sale' | 'reversal' | 'return';
  receiptNo: string;
  settledAt: string;
  total: string;
  fund: string;
  patientPay: string;
  methodsJson: string | null;
  change: string | null;
}

/** An operator's settlement records (sales and returns) in [from, to), with their payments. */
export function operatorRecords(db: DB, operatorId: string, from: string, to: string): ShiftRecordRow[] {
  const rows = prep(
    db,
    `SELECT s.id, s.kind, s.receipt_no, s.settled_at, s.total, s.fund, s.patient_pay, p.methods_json, p.change_given
       FROM settlement s LEFT JOIN settlement_payment p ON p.settlement_id = s.id
      WHERE s.operator_id = ? AND s.settled_at >= ? AND s.settled_at < ? ORDER BY s.seq`,
  ).all(operatorId, from, to) as { id: string; kind: ShiftRecordRow['kind']; receipt_no: string; settled_at: string; total: string; fund: string; patient_pay: string; methods_json: string | null; change_given: string | null }[];
  return rows.map((r) => ({ id: r.id, kind: r.kind, receiptNo: r.receipt_no, settledAt: r.settled_at, total: r.total, fund: r.fund, patientPay: r.patient_pay, methodsJson: r.methods_json, change: r.change_given }));
}

// ---------- held sales ----------

export interface HeldSaleRow {
  id: string;
  requestId: string;
  operatorId: string;
  label: string;
  saleJson: string;
  heldAt: string;
}

export function insertHeldSale(db: DB, h: HeldSaleRow): void {
  prep(db, `INSERT INTO held_sale (id, request_id, operator_id, label, sale_json, held_at) VALUES (?, ?, ?, ?, ?, ?)`).run(h.id, h.requestId, h.operatorId, h.label, h.saleJson, h.heldAt);
}

export function listHeldSales(db: DB): HeldSaleRow[] {
  return (prep(db, `SELECT id, request_id, operator_id, label, sale_json, held_at FROM held_sale ORDER BY held_at, id`).all() as { id: string; request_id: string; operator_id: string; label: string; sale_json: string; held_at: string }[]).map((r) => ({
    id: r.id, requestId: r.request_id, operatorId: r.operator_id, label: r.label, saleJson: r.sale_json, heldAt: r.held_at,
  }));
}

/** Takes a held sale out (DELETE … RETURNING: one statement, so only one caller gets it). */
export function takeHeldSale(db: DB, id: string): HeldSaleRow | null {
  const r = prep(db, `DELETE FROM held_sale WHERE id = ? RETURNING id, request_id, operator_id, label, sale_json, held_at`).get(id) as
    | { id: string; request_id: string; operator_id: string; label: string; sale_json: string; held_at: string }
    | undefined;
  return r ? { id: r.id, requestId: r.request_id, operatorId: r.operator_id, label: r.label, saleJson: r.sale_json, heldAt: r.held_at } : null;
}
