// SQL for capitation statements (migration 52) and the roster columns they are computed from.
import type { DB } from './db.ts';
import type { CapitationComputed, CapitationLine, CapitationPatient, CapitationRates } from '../contract/capitation.ts';

export interface StoredStatement extends CapitationComputed {
  id: string;
  policy: string;
  createdAt: string;
}

/** Patients on capitation at this institution (any status: stopped ones may still count for a month). */
export function capitationPatients(db: DB, institution: string): CapitationPatient[] {
  const rows = db
    .prepare(
      `SELECT psn_no, name, conditions, payment_mode, capitation_institution, capitation_start_month, flagged_date, status, stopped_date
       FROM patients WHERE payment_mode = 'capitation' AND capitation_institution = ?`,
    )
    .all(institution) as {
    psn_no: string; name: string; conditions: CapitationPatient['conditions']; payment_mode: CapitationPatient['paymentMode'];
    capitation_institution: string | null; capitation_start_month: string | null; flagged_date: string | null; status: CapitationPatient['status']; stopped_date: string | null;
  }[];
  return rows.map((r) => ({
    psnNo: r.psn_no, name: r.name, conditions: r.conditions, paymentMode: r.payment_mode, capitationInstitution: r.capitation_institution,
    capitationStartMonth: r.capitation_start_month, flaggedDate: r.flagged_date, status: r.status, stoppedDate: r.stopped_date,
  }));
}

type StatementRow = {
  id: string; institution_code: string; month: string; policy: string; rates_json: string; heads: number; hypertension_heads: number; diabetes_heads: number;
  hypertension_amount: string; diabetes_amount: string; amount: string; created_at: string;
};

function toStatement(db: DB, r: StatementRow): StoredStatement {
  const lines = db.prepare(`SELECT psn_no, name, conditions, hypertension, diabetes, amount FROM capitation_line WHERE statement_id = ? ORDER BY psn_no`).all(r.id) as {
    psn_no: string; name: string; conditions: CapitationLine['conditions']; hypertension: string; diabetes: string; amount: string;
  }[];
  return {
    id: r.id, institution: r.institution_code, month: r.month, policy: r.policy, rates: JSON.parse(r.rates_json) as CapitationRates,
    heads: r.heads, hypertensionHeads: r.hypertension_heads, diabetesHeads: r.diabetes_heads, hypertensionAmount: r.hypertension_amount,
    diabetesAmount: r.diabetes_amount, amount: r.amount, createdAt: r.created_at,
    lines: lines.map((l) => ({ psnNo: l.psn_no, name: l.name, conditions: l.conditions, hypertension: l.hypertension, diabetes: l.diabetes, amount: l.amount })),
  };
}

export function getStatement(db: DB, institution: string, month: string): StoredStatement | null {
  const r = db.prepare(`SELECT * FROM capitation_statement WHERE institution_code = ? AND month = ?`).get(institution, month) as StatementRow | undefined;
  return r ? toStatement(db, r) : null;
}

export function statementsOfYear(db: DB, institution: string, year: string): StoredStatement[] {
  const rows = db.prepare(`SELECT * FROM capitation_statement WHERE institution_code = ? AND month LIKE ? ORDER BY month`).all(institution, `${year}-%`) as StatementRow[];
  return rows.map((r) => toStatement(db, r));
}

export function insertStatement(db: DB, s: StoredStatement): void {
  db.prepare(
    `INSERT INTO capitation_statement (id, institution_code, month, policy, rates_json, heads, hypertension_heads, diabetes_heads, hypertension_amount, diabetes_amount, amount, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.id, s.institution, s.month, s.policy, JSON.stringify(s.rates), s.heads, s.hypertensionHeads, s.diabetesHeads, s.hypertensionAmount, s.diabetesAmount, s.amount, s.createdAt);
  const line = db.prepare(`INSERT INTO capitation_line (statement_id, psn_no, name, conditions, hypertension, diabetes, amount) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  for (const l of s.lines) line.run(s.id, l.psnNo, l.name, l.conditions, l.hypertension, l.diabetes, l.amount);
}
