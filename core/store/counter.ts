// SQL for the counter's own tables (migration 70): operators, who settled what and the print log
// (printer settings are in the one settings table, core/store/settings.ts). Bound parameters only; callers wrap writes that go with a settlement
// in the settlement's transaction.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { DB } from './db.ts';
import { prep } from './prepared.ts';

export type Role = 'pharmacist' | 'clerk' | 'admin';
export interface OperatorRow {
  id: string;
  name: string;
  role: Role;
  active: boolean;
}

function hashPin(pin: string, salt: string): string {
  // scrypt so a copied database does not give the PINs away by brute force in seconds.
  return scryptSync(pin, salt, 32, { N: 1 << 14, r: 8, p: 1 }).toString('hex');
}

export function listOperators(db: DB): OperatorRow[] {
  return (db.prepare(`SELECT id, name, role, active FROM operators ORDER BY role DESC, id`).all() as { id: string; name: string; role: Role; active: number }[]).map((r) => ({
    ...r,
    active: r.active === 1,
  }));
}

export function createOperator(db: DB, o: { id: string; name: string; role: Role; pin: string }, now = new Date().toISOString()): OperatorRow {
  const salt = randomBytes(16).toString('hex');
  db.prepare(`INSERT INTO operators (id, name, role, pin_salt, pin_hash, active, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)`).run(o.id, o.name, o.role, salt, hashPin(o.pin, salt), now);
  return { id: o.id, name: o.name, role: o.role, active: true };
}

/** The operator when the PIN matches an active operator, else null (no hint which part was wrong). */
export function verifyOperator(db: DB, id: string, pin: string): OperatorRow | null {
  const row = db.prepare(`SELECT id, name, role, active, pin_salt, pin_hash FROM operators WHERE id = ?`).get(id) as
    | { id: string; name: string; role: Role; active: number; pin_salt: string; pin_hash: string }
    | undefined;
  if (!row || row.active !== 1) {
    // The same scrypt work for an unknown operator, so the answer time does not tell which ids exist.
    hashPin(pin, 'unknown-operator');
    return null;
  }
  const a = Buffer.from(hashPin(pin, row.pin_salt), 'hex');
  const b = Buffer.from(row.pin_hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? { id: row.id, name: row.name, role: row.role, active: true } : null;
}

/** Replaces an operator's PIN (a new salt, the same hash as createOperator and verifyOperator). */
export function setOperatorPin(db: DB, id: string, pin: string): void {
  const salt = randomBytes(16).toString('hex');
  prep(db, `UPDATE operators SET pin_salt = ?, pin_hash = ? WHERE id = ?`).run(salt, hashPin(pin, salt), id);
}

/** Enables or disables an operator (a disabled one cannot sign in; their past settlements keep their name). */
export function setOperatorActive(db: DB, id: string, active: boolean): void {
  prep(db, `UPDATE operators SET active = ? WHERE id = ?`).run(active ? 1 : 0, id);
}

export interface SettlementOperator {
  settlementId: string;
  requestId: string | null;
  operatorId: string;
  operatorName: string;
  operatorRole: string;
  prescription: Record<string, unknown> | null;
  /** The hash of the request an idempotency key answered (bound in the same INSERT). */
  requestHash?: string | null;
}

export function recordSettlementOperator(db: DB, s: SettlementOperator, now = new Date().toISOString()): void {
  prep(
    db,
    `INSERT INTO settlement_operators (settlement_id, request_id, operator_id, operator_name, operator_role, prescription, created_at, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.settlementId, s.requestId, s.operatorId, s.operatorName, s.operatorRole, s.prescription ? JSON.stringify(s.prescription) : null, now, s.requestHash ?? null);
}

/** A registered operator's name and role, or null (one statement). */
export function operatorById(db: DB, id: string): OperatorRow | null {
  const r = prep(db, `SELECT id, name, role, active FROM operators WHERE id = ?`).get(id) as { id: string; name: string; role: Role; active: number } | undefined;
  return r ? { id: r.id, name: r.name, role: r.role, active: r.active === 1 } : null;
}

type SoRow = { settlement_id: string; request_id: string | null; operator_id: string; operator_name: string; operator_role: string; prescription: string | null };
function toSo(r: SoRow): SettlementOperator {
  return {
    settlementId: r.settlement_id,
    requestId: r.request_id,
    operatorId: r.operator_id,
    operatorName: r.operator_name,
    operatorRole: r.operator_role,
    prescription: r.prescription ? (JSON.parse(r.prescription) as Record<string, unknown>) : null,
  };
}

export function settlementOperator(db: DB, settlementId: string): SettlementOperator | null {
  const r = db.prepare(`SELECT * FROM settlement_operators WHERE settlement_id = ?`).get(settlementId) as SoRow | undefined;
  return r ? toSo(r) : null;
}

/** Records one print and returns its copy number (1 = original, 2+ = reprints). */
export function recordPrint(db: DB, p: { settlementId: string | null; document: string; layout: string; operatorId: string }, now = new Date().toISOString()): number {
  return db.transaction(() => {
    const prev = db
      .prepare(`SELECT COALESCE(MAX(copy), 0) AS n FROM print_log WHERE settlement_id IS ? AND document = ?`)
      .get(p.settlementId, p.document) as { n: number };
    const copy = prev.n + 1;
    db.prepare(`INSERT INTO print_log (settlement_id, document, layout, copy, operator_id, printed_at) VALUES (?, ?, ?, ?, ?, ?)`).run(
      p.settlementId,
      p.document,
      p.layout,
      copy,
      p.operatorId,
      now,
    );
    return copy;
  })();
}

export function printCount(db: DB, settlementId: string | null, document: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM print_log WHERE settlement_id IS ? AND document = ?`).get(settlementId, document) as { n: number }).n;
}

/** Newest settlements first (the returns page), optionally for one patient. */
export function recentSettlementIds(db: DB, q: { psnNo?: string | null; limit: number }): string[] {
  const rows = q.psnNo
    ? db.prepare(`SELECT id FROM settlement WHERE psn_no = ? ORDER BY seq DESC LIMIT ?`).all(q.psnNo, q.limit)
    : db.prepare(`SELECT id FROM settlement ORDER BY seq DESC LIMIT ?`).all(q.limit);
  return (rows as { id: string }[]).map((r) => r.id);
}

/** Codes of the catalog in display order (the public list). */
export function catalogCodes(db: DB, limit: number): string[] {
  return (db.prepare(`SELECT code FROM catalog ORDER BY category, generic_name LIMIT ?`).all(limit) as { code: string }[]).map((r) => r.code);
}

/** The reversal record (kind reversal) against a sale, if any. */
export function hasFullReversal(db: DB, settlementId: string): boolean {
  return db.prepare(`SELECT 1 FROM settlement WHERE original_id = ? AND kind = 'reversal'`).get(settlementId) !== undefined;
}

