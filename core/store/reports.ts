// Read-only queries behind the reports: settlement facts from the journal (migration 30) with each
// line's drug category from the catalog (migration 11) when present, roster counts (migration 10),
// filings (51), supervision overrides (50), platform variances (32).
import type { DB } from './db.ts';
import { getSetting } from './settings.ts';

function hasTable(db: DB, name: string): boolean {
  return Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name));
}

export interface SettlementLineFact {
  total: string;
  inScope: string;
  fund: string;
  /** The catalog's category for the line's drug, when the catalog knows it. */
  category: 'antihypertensive' | 'antidiabetic' | 'other' | null;
  kind: 'drug' | 'exam';
}

export interface SettlementFact {
  id: string;
  kind: 'sale' | 'reversal' | 'return';
  /** The sale a reversal or return undoes (null for a sale). */
  originalId: string | null;
  date: string;
  institutionType: 'clinic' | 'pharmacy';
  institutionLevel: number;
  psnNo: string;
  insutype: string;
  conditions: ('hypertension' | 'diabetes')[];
  chronicDiseaseSince: string | null;
  total: string;
  inScope: string;
  fund: string;
  lines: SettlementLineFact[];
}

/** Every journal record dated in [from, to] (a reversal carries its sale's date), with its lines; out-of-area sales settled directly through the platform are left out. */
export function settlementFacts(db: DB, from: string, to: string): SettlementFact[] {
  if (!hasTable(db, 'settlement')) return [];
  // json_extract keeps the big request/result JSON out of JavaScript: only the three facts needed cross over.
  const rows = db
    .prepare(
      `SELECT s.id, s.kind, s.original_id, s.settle_date, s.institution_type, s.institution_level, s.psn_no, s.total, s.in_scope, s.fund,
              json_extract(s.patient_json, '$.insutype') AS insutype,
              COALESCE(json_extract(s.patient_json, '$.conditions'), json_extract(COALESCE(o.request_json, s.request_json), '$.patient.conditions')) AS conditions,
              json_extract(COALESCE(o.request_json, s.request_json), '$.patient.chronicDiseaseSince') AS chronic_since
       FROM settlement s LEFT JOIN settlement o ON o.id = s.original_id
       WHERE s.settle_date BETWEEN ? AND ?
         -- an out-of-area patient the platform settled directly is the insuring region's, not in this region's reports
         AND json_extract(s.patient_json, '$.outOfArea') IS NOT 1
       ORDER BY s.seq`,
    )
    .all(from, to) as {
    id: string; kind: SettlementFact['kind']; original_id: string | null; settle_date: string; institution_type: SettlementFact['institutionType']; institution_level: number;
    psn_no: string; total: string; in_scope: string; fund: string; insutype: string | null; conditions: string | null; chronic_since: string | null;
  }[];
  const catalog = hasTable(db, 'catalog');
  const lineSql = catalog
    ? `SELECT l.settlement_id, l.total, l.in_scope, l.fund, json_extract(l.facts_json, '$.kind') AS kind, c.category FROM settlement_line l
       JOIN settlement s ON s.id = l.settlement_id LEFT JOIN catalog c ON c.code = l.catalog_code
       WHERE s.settle_date BETWEEN ? AND ?`
    : `SELECT l.settlement_id, l.total, l.in_scope, l.fund, json_extract(l.facts_json, '$.kind') AS kind, NULL AS category FROM settlement_line l
       JOIN settlement s ON s.id = l.settlement_id WHERE s.settle_date BETWEEN ? AND ?`;
  const byRecord = new Map<string, SettlementLineFact[]>();
  for (const l of db.prepare(lineSql).all(from, to) as { settlement_id: string; total: string; in_scope: string; fund: string; kind: string | null; category: SettlementLineFact['category'] }[]) {
    const list = byRecord.get(l.settlement_id) ?? [];
    list.push({ total: l.total, inScope: l.in_scope, fund: l.fund, category: l.category, kind: l.kind === 'exam' ? 'exam' : 'drug' });
    byRecord.set(l.settlement_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    originalId: r.original_id,
    date: r.settle_date,
    institutionType: r.institution_type,
    institutionLevel: r.institution_level,
    psnNo: r.psn_no,
    insutype: r.insutype ?? '390',
    conditions: r.conditions ? (JSON.parse(r.conditions) as ('hypertension' | 'diabetes')[]) : [],
    chronicDiseaseSince: r.chronic_since,
    total: r.total,
    inScope: r.in_scope,
    fund: r.fund,
    lines: byRecord.get(r.id) ?? [],
  }));
}

export interface RosterCount {
  insutype: string;
  conditions: 'hypertension' | 'diabetes' | 'both';
  /** Patients under the chronic-disease scheme (门诊慢特病) by `asOf`. */
  chronic: boolean;
  n: number;
}

/** Patients flagged by `last` and not stopped before `first`: the month's managed population. */
export function rosterCounts(db: DB, first: string, last: string): RosterCount[] {
  if (!hasTable(db, 'patients')) return [];
  const rows = db
    .prepare(
      `SELECT insutype, conditions, (chronic_disease_since IS NOT NULL AND chronic_disease_since <= ?) AS chronic, count(*) AS n FROM patients
       WHERE (flagged_date IS NULL OR flagged_date <= ?) AND (status = 'active' OR (stopped_date IS NOT NULL AND stopped_date >= ?))
       GROUP BY insutype, conditions, chronic`,
    )
    .all(last, last, first) as { insutype: string; conditions: RosterCount['conditions']; chronic: number; n: number }[];
  return rows.map((r) => ({ insutype: r.insutype, conditions: r.conditions, chronic: r.chronic === 1, n: r.n }));
}

export interface FiledFact {
  psnNo: string;
  insutype: string;
  diseases: ('hypertension' | 'diabetes')[];
}

/** Who was filed (备案) in the month: roster flags dated in it, and counter change filings that added a disease. */
export function filedInPeriod(db: DB, first: string, last: string): FiledFact[] {
  const out: FiledFact[] = [];
  if (hasTable(db, 'patients')) {
    for (const r of db.prepare(`SELECT psn_no, insutype, conditions FROM patients WHERE flagged_date BETWEEN ? AND ?`).all(first, last) as { psn_no: string; insutype: string; conditions: string }[]) {
      out.push({ psnNo: r.psn_no, insutype: r.insutype, diseases: r.conditions === 'both' ? ['hypertension', 'diabetes'] : [r.conditions as 'hypertension' | 'diabetes'] });
    }
  }
  if (hasTable(db, 'filing')) {
    const rows = db.prepare(`SELECT psn_no, conditions_before, conditions_after, patient_after_json FROM filing WHERE kind = 'change' AND filed_on BETWEEN ? AND ?`).all(first, last) as {
      psn_no: string; conditions_before: string; conditions_after: string; patient_after_json: string;
    }[];
    for (const r of rows) {
      const before = r.conditions_before.split(',');
      const added = r.conditions_after.split(',').filter((c) => c && !before.includes(c)) as ('hypertension' | 'diabetes')[];
      if (added.length) out.push({ psnNo: r.psn_no, insutype: (JSON.parse(r.patient_after_json) as { insutype: string }).insutype, diseases: added });
    }
  }
  return out;
}

export interface VarianceFact {
  settlementId: string;
  receiptNo: string;
  date: string;
  scope: string;
  lineRef: string;
  field: string;
  local: string;
  platform: string;
  difference: string;
}

export function variancesBetween(db: DB, first: string, last: string): VarianceFact[] {
  if (!hasTable(db, 'variance')) return [];
  return (
    db
      .prepare(
        `SELECT v.settlement_id, s.receipt_no, v.settle_date, v.scope, v.line_ref, v.field, v.local_value, v.platform_value, v.difference
         FROM variance v JOIN settlement s ON s.id = v.settlement_id WHERE v.settle_date BETWEEN ? AND ? ORDER BY v.settle_date, s.receipt_no, v.scope, v.line_ref, v.field`,
      )
      .all(first, last) as { settlement_id: string; receipt_no: string; settle_date: string; scope: string; line_ref: string; field: string; local_value: string; platform_value: string; difference: string }[]
  ).map((r) => ({ settlementId: r.settlement_id, receiptNo: r.receipt_no, date: r.settle_date, scope: r.scope, lineRef: r.line_ref, field: r.field, local: r.local_value, platform: r.platform_value, difference: r.difference }));
}

/** Upload state of the month's records: how many reached the platform, and how many did not (yet). */
export function outboxCounts(db: DB, first: string, last: string): Record<string, number> {
  if (!hasTable(db, 'outbox')) return {};
  const out: Record<string, number> = {};
  for (const r of db.prepare(`SELECT status, count(*) AS n FROM outbox WHERE settle_date BETWEEN ? AND ? GROUP BY status`).all(first, last) as { status: string; n: number }[]) out[r.status] = r.n;
  return out;
}

/** Fund paid per month of a year (signed, so reversals net out). */
export function fundByMonth(db: DB, year: string): { month: string; fund: string; total: string }[] {
  if (!hasTable(db, 'settlement')) return [];
  // Amounts are decimal strings: summed in JS with Decimal by the caller, grouped here.
  return db.prepare(`SELECT substr(settle_date, 1, 7) AS month, fund, total FROM settlement WHERE settle_date BETWEEN ? AND ? AND json_extract(patient_json, '$.outOfArea') IS NOT 1 ORDER BY settle_date`).all(`${year}-01-01`, `${year}-12-31`) as {
    month: string; fund: string; total: string;
  }[];
}

export function institutionName(db: DB): { code: string | null; name: string | null } {
  if (!hasTable(db, 'settings')) return { code: null, name: null };
  return { code: getSetting(db, 'institution.code'), name: getSetting(db, 'institution.name') };
}

export interface CapGroup {
  insutype: string;
  conditions: 'hypertension' | 'diabetes' | 'both';
  managementClass: 1 | 2 | null;
  otherChronicDiseases: number;
  n: number;
}

/** The scheme's patients in the month grouped by what decides their annual cap (few groups, any roster size). */
export function capGroups(db: DB, first: string, last: string): CapGroup[] {
  if (!hasTable(db, 'patients')) return [];
  return (
    db
      .prepare(
        `SELECT insutype, conditions, management_class, other_chronic_diseases, count(*) AS n FROM patients
         WHERE (flagged_date IS NULL OR flagged_date <= ?) AND (status = 'active' OR (stopped_date IS NOT NULL AND stopped_date >= ?))
           AND (chronic_disease_since IS NULL OR chronic_disease_since > ?)
         GROUP BY insutype, conditions, management_class, other_chronic_diseases`,
      )
      .all(last, first, last) as { insutype: string; conditions: CapGroup['conditions']; management_class: 1 | 2 | null; other_chronic_diseases: number; n: number }[]
  ).map((r) => ({ insutype: r.insutype, conditions: r.conditions, managementClass: r.management_class, otherChronicDiseases: r.other_chronic_diseases, n: r.n }));
}

export function sitePolicy(db: DB): string | null {
  if (!hasTable(db, 'settings')) return null;
  return getSetting(db, 'institution.policy');
}
