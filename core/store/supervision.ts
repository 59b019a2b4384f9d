// SQL for supervision (migration 50): dispensing history and override audit records.
// Synchronous, bound parameters only; recordDispensing is meant to run inside the settlement's
// own transaction so a sale and its supply record commit together.
import type { DB } from './db.ts';
import { prep as stmt } from './prepared.ts';
import type { DispensedEntry } from '../contract/dispensing.ts';


export interface DispensingLine {
  lineRef: string;
  code: string | null;
  genericName: string;
  drugGroup: string | null;
  days: number;
}

export function insertCounterDispensing(
  db: DB,
  d: { settlementId: string; psnNo: string; date: string; institution: string | null; lines: DispensingLine[] },
  now: string,
): number {
  if (d.lines.length === 0) return 0;
  // One multi-row statement for the whole sale (it runs inside the settlement's transaction).
  const sql = `INSERT INTO dispensing (psn_no, dispensed_on, code, generic_name, drug_group, days, source, institution, settlement_id, line_ref, recorded_at)
     VALUES ${d.lines.map(() => "(?, ?, ?, ?, ?, ?, 'counter', ?, ?, ?, ?)").join(', ')} ON CONFLICT (settlement_id, line_ref) DO NOTHING`;
  return stmt(db, sql).run(...d.lines.flatMap((l) => [d.psnNo, d.date, l.code, l.genericName, l.drugGroup, l.days, d.institution, d.settlementId, l.lineRef, now])).changes;
}

/** Removes a returned sale's supply from the history (the drugs came back): all of it, or the given lines. */
export function deleteCounterDispensing(db: DB, settlementId: string, lineRefs?: string[]): number {
  if (!lineRefs) return db.prepare(`DELETE FROM dispensing WHERE settlement_id = ? AND source = 'counter'`).run(settlementId).changes;
  const del = db.prepare(`DELETE FROM dispensing WHERE settlement_id = ? AND source = 'counter' AND line_ref = ?`);
  return lineRefs.reduce((n, ref) => n + del.run(settlementId, ref).changes, 0);
}

/** The days of supply recorded for one line of a counter sale, or null when none were recorded. */
export function counterDispensingDays(db: DB, settlementId: string, lineRef: string): number | null {
  const row = stmt(db, `SELECT days FROM dispensing WHERE settlement_id = ? AND source = 'counter' AND line_ref = ?`).get(settlementId, lineRef) as { days: number } | undefined;
  return row?.days ?? null;
}

/** A line returned in part keeps the days of what the patient kept. */
export function setCounterDispensingDays(db: DB, settlementId: string, lineRef: string, days: number): void {
  stmt(db, `UPDATE dispensing SET days = ? WHERE settlement_id = ? AND source = 'counter' AND line_ref = ?`).run(days, settlementId, lineRef);
}

export interface ImportedDispensing {
  psnNo: string;
  date: string;
  code: string | null;
  genericName: string;
  drugGroup: string | null;
  days: number;
  institution: string | null;
}

/** Idempotent: the same entry imported twice is stored once. Returns how many were new. */
export function insertImportedDispensing(db: DB, entries: ImportedDispensing[], now: string): number {
  const stmt = db.prepare(
    `INSERT INTO dispensing (psn_no, dispensed_on, code, generic_name, drug_group, days, source, institution, import_key, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, 'import', ?, ?, ?) ON CONFLICT (import_key) DO NOTHING`,
  );
  let n = 0;
  db.transaction(() => {
    for (const e of entries) {
      const key = [e.psnNo, e.date, e.code ?? '', e.genericName, e.institution ?? '', e.days].join('\u001f');
      n += stmt.run(e.psnNo, e.date, e.code, e.genericName, e.drugGroup, e.days, e.institution, key, now).changes;
    }
  })();
  return n;
}

/** The patient's dispensings from `since` up to `until` (inclusive). */
export function dispensingHistory(db: DB, psnNo: string, since: string, until: string): DispensedEntry[] {
  const rows = stmt(
    db,
    `SELECT dispensed_on, code, generic_name, drug_group, days, source, institution FROM dispensing
     WHERE psn_no = ? AND dispensed_on BETWEEN ? AND ? ORDER BY dispensed_on, id`,
  ).all(psnNo, since, until) as { dispensed_on: string; code: string | null; generic_name: string; drug_group: string | null; days: number; source: 'counter' | 'import'; institution: string | null }[];
  return rows.map((r) => ({ date: r.dispensed_on, code: r.code, genericName: r.generic_name, drugGroup: r.drug_group, days: r.days, source: r.source, institution: r.institution }));
}

export interface OverrideRow {
  id: string;
  psnNo: string;
  serviceDate: string;
  lineCode: string;
  genericName: string;
  rule: 'MAX_SUPPLY' | 'EARLY_REFILL';
  finding: Record<string, unknown>;
  reason: string;
  operatorId: string;
  operatorName: string;
  operatorRole: 'pharmacist' | 'admin';
  settlementId: string | null;
  createdAt: string;
}

export function insertOverride(db: DB, o: OverrideRow): void {
  db.prepare(
    `INSERT INTO supervision_override (id, psn_no, service_date, line_code, generic_name, rule, finding_json, reason, operator_id, operator_name, operator_role, settlement_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(o.id, o.psnNo, o.serviceDate, o.lineCode, o.genericName, o.rule, JSON.stringify(o.finding), o.reason, o.operatorId, o.operatorName, o.operatorRole, o.settlementId, o.createdAt);
}

type OverrideDbRow = {
  id: string; psn_no: string; service_date: string; line_code: string; generic_name: string; rule: OverrideRow['rule']; finding_json: string;
  reason: string; operator_id: string; operator_name: string; operator_role: OverrideRow['operatorRole']; settlement_id: string | null; created_at: string;
};
const toOverride = (r: OverrideDbRow): OverrideRow => ({
  id: r.id, psnNo: r.psn_no, serviceDate: r.service_date, lineCode: r.line_code, genericName: r.generic_name, rule: r.rule,
  finding: JSON.parse(r.finding_json) as Record<string, unknown>, reason: r.reason, operatorId: r.operator_id, operatorName: r.operator_name,
  operatorRole: r.operator_role, settlementId: r.settlement_id, createdAt: r.created_at,
});

/** Overrides recorded for this patient and day that no settlement has used yet. */
export function openOverrides(db: DB, psnNo: string, date: string): OverrideRow[] {
  return (stmt(db, `SELECT * FROM supervision_override WHERE psn_no = ? AND service_date = ? AND settlement_id IS NULL ORDER BY created_at`).all(psnNo, date) as OverrideDbRow[]).map(toOverride);
}

export function overridesBetween(db: DB, from: string, to: string): OverrideRow[] {
  return (db.prepare(`SELECT * FROM supervision_override WHERE service_date BETWEEN ? AND ? ORDER BY service_date, created_at`).all(from, to) as OverrideDbRow[]).map(toOverride);
}

/** Links overrides to the settlement that used them (once; the trigger refuses a second link). */
export function linkOverrides(db: DB, ids: string[], settlementId: string): number {
  const stmt = db.prepare(`UPDATE supervision_override SET settlement_id = ? WHERE id = ? AND settlement_id IS NULL`);
  let n = 0;
  for (const id of ids) n += stmt.run(settlementId, id).changes;
  return n;
}

/** The operator's role from the counter's operators table (migration 70), or null. */
export function operatorRole(db: DB, operatorId: string): { id: string; name: string; role: string; active: boolean } | null {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'operators'`).get();
  if (!exists) return null;
  const r = db.prepare(`SELECT id, name, role, active FROM operators WHERE id = ?`).get(operatorId) as { id: string; name: string; role: string; active: number } | undefined;
  return r ? { id: r.id, name: r.name, role: r.role, active: r.active === 1 } : null;
}

export interface CatalogDrugFacts {
  code: string;
  genericName: string;
  drugGroup: string | null;
  packageSize: string | null;
  spec: string | null;
}

/** What supervision needs from the catalog (migration 11) for the given national codes. */
export function catalogDrugFacts(db: DB, codes: string[]): Map<string, CatalogDrugFacts> {
  const out = new Map<string, CatalogDrugFacts>();
  if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalog'`).get()) return out;
  const q = stmt(db, `SELECT code, generic_name, drug_group, package_size, spec FROM catalog WHERE code = ?`);
  for (const code of new Set(codes)) {
    const r = q.get(code) as { code: string; generic_name: string; drug_group: string | null; package_size: string | null; spec: string | null } | undefined;
    if (r) out.set(code, { code: r.code, genericName: r.generic_name, drugGroup: r.drug_group, packageSize: r.package_size, spec: r.spec });
  }
  return out;
}
