// Staff national codes (staff_code) and the platform-vs-roster differences of online
// identification (identity_difference). Migration 105.
import { prep } from './prepared.ts';
import type { DB } from './db.ts';

export interface StaffCodeRow {
  operatorId: string;
  drCode: string;
  drName: string | null;
  deptCode: string;
  deptName: string;
  caty: string | null;
  updatedAt: string;
}

export function setStaffCode(db: DB, s: StaffCodeRow): void {
  prep(
    db,
    `INSERT INTO staff_code (operator_id, dr_code, dr_name, dept_code, dept_name, caty, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (operator_id) DO UPDATE SET dr_code = excluded.dr_code, dr_name = excluded.dr_name, dept_code = excluded.dept_code,
       dept_name = excluded.dept_name, caty = excluded.caty, updated_at = excluded.updated_at`,
  ).run(s.operatorId, s.drCode, s.drName, s.deptCode, s.deptName, s.caty, s.updatedAt);
}

export function getStaffCode(db: DB, operatorId: string): StaffCodeRow | null {
  const r = prep(db, 'SELECT operator_id, dr_code, dr_name, dept_code, dept_name, caty, updated_at FROM staff_code WHERE operator_id = ?').get(operatorId) as
    | { operator_id: string; dr_code: string; dr_name: string | null; dept_code: string; dept_name: string; caty: string | null; updated_at: string }
    | undefined;
  if (!r) return null;
  return { operatorId: r.operator_id, drCode: r.dr_code, drName: r.dr_name, deptCode: r.dept_code, deptName: r.dept_name, caty: r.caty, updatedAt: r.updated_at };
}

export interface IdentityDifferenceRow {
  checkedAt: string;
  psnNo: string;
  rosterKey: string | null;
  field: string;
  rosterValue: string | null;
  platformValue: string | null;
  messageZh: string;
}

export function insertIdentityDifferences(db: DB, rows: readonly IdentityDifferenceRow[]): void {
  const st = prep(db, 'INSERT INTO identity_difference (checked_at, psn_no, roster_key, field, roster_value, platform_value, message_zh) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const r of rows) st.run(r.checkedAt, r.psnNo, r.rosterKey, r.field, r.rosterValue, r.platformValue, r.messageZh);
}

export function identityDifferencesOf(db: DB, psnNo: string): IdentityDifferenceRow[] {
  const rows = prep(db, 'SELECT checked_at, psn_no, roster_key, field, roster_value, platform_value, message_zh FROM identity_difference WHERE psn_no = ? ORDER BY id').all(psnNo) as {
    checked_at: string;
    psn_no: string;
    roster_key: string | null;
    field: string;
    roster_value: string | null;
    platform_value: string | null;
    message_zh: string;
  }[];
  return rows.map((r) => ({ checkedAt: r.checked_at, psnNo: r.psn_no, rosterKey: r.roster_key, field: r.field, rosterValue: r.roster_value, platformValue: r.platform_value, messageZh: r.message_zh }));
}

/** Writes an operator's codes from the validated fields and returns them as stored. */
export function saveStaffCode(
  db: DB,
  f: { operatorId: string; code: string; name?: string | undefined; deptCode: string; deptName: string; caty?: string | undefined },
  now: Date,
): { operatorId: string; code: string; name: string | null; deptCode: string; deptName: string; caty: string | null } {
  setStaffCode(db, { operatorId: f.operatorId, drCode: f.code, drName: f.name ?? null, deptCode: f.deptCode, deptName: f.deptName, caty: f.caty ?? null, updatedAt: now.toISOString() });
  const s = getStaffCode(db, f.operatorId)!;
  return { operatorId: s.operatorId, code: s.drCode, name: s.drName, deptCode: s.deptCode, deptName: s.deptName, caty: s.caty };
}
