// SQL for filing (migration 51) and the roster columns a filing changes. A counter filing makes
// the patient eligible at once, so it writes the patients row (flagged_by 'counter'); the
// bureau's next push is the authority and overwrites it (content_hash marks the row as ours).
import type { DB } from './db.ts';
import type { ConditionName, RosterState } from '../contract/filing.ts';

type PatientRow = {
  psn_no: string; name: string; certno: string | null; gender: '1' | '2' | '9' | null; birth_date: string | null; insutype: '390' | '310';
  region: string | null; conditions: 'hypertension' | 'diabetes' | 'both'; management_class: 1 | 2 | null; status: 'active' | 'stopped';
  flagged_date: string | null; flagged_by: string | null; stopped_date: string | null; stopped_reason: string | null; designated_institution: string | null;
};

const toList = (c: PatientRow['conditions']): ConditionName[] => (c === 'both' ? ['hypertension', 'diabetes'] : [c]);
const toSet = (c: ConditionName[]): PatientRow['conditions'] | null => (c.length === 2 ? 'both' : (c[0] ?? null));

export function readRosterState(db: DB, psnNo: string): RosterState | null {
  const r = db
    .prepare(
      `SELECT psn_no, name, certno, gender, birth_date, insutype, region, conditions, management_class, status, flagged_date, flagged_by, stopped_date, stopped_reason,
              designated_institution
       FROM patients WHERE psn_no = ?`,
    )
    .get(psnNo) as PatientRow | undefined;
  if (!r) return null;
  return {
    psnNo: r.psn_no, name: r.name, certno: r.certno, gender: r.gender, birthDate: r.birth_date, insutype: r.insutype, region: r.region,
    conditions: toList(r.conditions), managementClass: r.management_class, status: r.status, flaggedDate: r.flagged_date, flaggedBy: r.flagged_by,
    stoppedDate: r.stopped_date, stoppedReason: r.stopped_reason, designatedInstitution: r.designated_institution,
  };
}

/**
 * Writes what a filing changes. A patient cured of every condition keeps the last conditions on
 * the row (the column cannot be empty) with status 'stopped'.
 */
export function writeRosterState(db: DB, s: RosterState, previous: RosterState | null, filingId: string, now: string): void {
  const conditions = toSet(s.conditions) ?? toSet(previous?.conditions ?? []) ?? 'hypertension';
  db.prepare(
    `INSERT INTO patients (psn_no, certno, name, gender, birth_date, insutype, region, conditions, management_class, flagged_date, flagged_by, status, stopped_date, stopped_reason,
       designated_institution, content_hash, updated_at)
     VALUES (@psn_no, @certno, @name, @gender, @birth_date, @insutype, @region, @conditions, @management_class, @flagged_date, @flagged_by, @status, @stopped_date, @stopped_reason,
       @designated_institution, @hash, @now)
     ON CONFLICT (psn_no) DO UPDATE SET certno = excluded.certno, name = excluded.name, gender = excluded.gender, birth_date = excluded.birth_date,
       insutype = excluded.insutype, region = excluded.region, conditions = excluded.conditions, management_class = excluded.management_class,
       flagged_date = excluded.flagged_date, flagged_by = excluded.flagged_by, status = excluded.status, stopped_date = excluded.stopped_date,
       stopped_reason = excluded.stopped_reason, designated_institution = excluded.designated_institution, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
  ).run({
    psn_no: s.psnNo, certno: s.certno, name: s.name, gender: s.gender, birth_date: s.birthDate, insutype: s.insutype, region: s.region, conditions,
    management_class: s.managementClass, flagged_date: s.flaggedDate, flagged_by: s.flaggedBy, status: s.status, stopped_date: s.stoppedDate,
    stopped_reason: s.stoppedReason, designated_institution: s.designatedInstitution === undefined ? (previous?.designatedInstitution ?? null) : s.designatedInstitution,
    hash: `counter-filing:${filingId}`, now,
  });
}

export interface FilingRow {
  id: string;
  kind: 'new' | 'change' | 'stop';
  psnNo: string;
  filedOn: string;
  reason: string | null;
  conditionsBefore: ConditionName[];
  conditionsAfter: ConditionName[];
  managementClass: number | null;
  doctorCode: string | null;
  doctorName: string;
  institutionCode: string;
  operatorId: string;
  operatorName: string;
  request: Record<string, unknown>;
  patientBefore: RosterState | null;
  patientAfter: RosterState;
  createdAt: string;
}

export function insertFiling(db: DB, f: FilingRow): void {
  db.prepare(
    `INSERT INTO filing (id, kind, psn_no, filed_on, reason, conditions_before, conditions_after, management_class, doctor_code, doctor_name, institution_code,
       operator_id, operator_name, request_json, patient_before_json, patient_after_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    f.id, f.kind, f.psnNo, f.filedOn, f.reason, f.conditionsBefore.join(','), f.conditionsAfter.join(','), f.managementClass, f.doctorCode, f.doctorName,
    f.institutionCode, f.operatorId, f.operatorName, JSON.stringify(f.request), f.patientBefore ? JSON.stringify(f.patientBefore) : null,
    JSON.stringify(f.patientAfter), f.createdAt,
  );
}

type FilingDbRow = {
  id: string; kind: FilingRow['kind']; psn_no: string; filed_on: string; reason: string | null; conditions_before: string; conditions_after: string;
  management_class: number | null; doctor_code: string | null; doctor_name: string; institution_code: string; operator_id: string; operator_name: string;
  request_json: string; patient_before_json: string | null; patient_after_json: string; created_at: string;
};
const split = (s: string) => (s ? (s.split(',') as ConditionName[]) : []);
const toFiling = (r: FilingDbRow): FilingRow => ({
  id: r.id, kind: r.kind, psnNo: r.psn_no, filedOn: r.filed_on, reason: r.reason, conditionsBefore: split(r.conditions_before), conditionsAfter: split(r.conditions_after),
  managementClass: r.management_class, doctorCode: r.doctor_code, doctorName: r.doctor_name, institutionCode: r.institution_code, operatorId: r.operator_id,
  operatorName: r.operator_name, request: JSON.parse(r.request_json) as Record<string, unknown>,
  patientBefore: r.patient_before_json ? (JSON.parse(r.patient_before_json) as RosterState) : null, patientAfter: JSON.parse(r.patient_after_json) as RosterState, createdAt: r.created_at,
});

export function getFiling(db: DB, id: string): FilingRow | null {
  const r = db.prepare(`SELECT * FROM filing WHERE id = ?`).get(id) as FilingDbRow | undefined;
  return r ? toFiling(r) : null;
}

export function filingsBetween(db: DB, from: string, to: string): FilingRow[] {
  return (db.prepare(`SELECT * FROM filing WHERE filed_on BETWEEN ? AND ? ORDER BY filed_on, created_at`).all(from, to) as FilingDbRow[]).map(toFiling);
}

export function filingsOf(db: DB, psnNo: string): FilingRow[] {
  return (db.prepare(`SELECT * FROM filing WHERE psn_no = ? ORDER BY filed_on, created_at`).all(psnNo) as FilingDbRow[]).map(toFiling);
}

export type UploadStatus = 'pending' | 'sending' | 'acked' | 'rejected' | 'ambiguous' | 'dead';
export interface UploadRow {
  id: string;
  filingId: string;
  seq: number;
  action: 'register' | 'revoke';
  infno: string;
  disease: ConditionName;
  psnNo: string;
  payload: Record<string, string>;
  status: UploadStatus;
  attempts: number;
  nextAttemptAt: number;
  msgid: string | null;
  detlSn: string | null;
  lastError: string | null;
  reply: unknown;
  createdAt: string;
  updatedAt: string;
  ackedAt: string | null;
}

export function insertUpload(db: DB, u: Pick<UploadRow, 'id' | 'filingId' | 'seq' | 'action' | 'infno' | 'disease' | 'psnNo' | 'payload'>, now: string): void {
  db.prepare(
    `INSERT INTO filing_upload (id, filing_id, seq, action, infno, disease, psn_no, payload_json, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
  ).run(u.id, u.filingId, u.seq, u.action, u.infno, u.disease, u.psnNo, JSON.stringify(u.payload), now, now);
}

type UploadDbRow = {
  id: string; filing_id: string; seq: number; action: UploadRow['action']; infno: string; disease: ConditionName; psn_no: string; payload_json: string; status: UploadStatus;
  attempts: number; next_attempt_at: number; msgid: string | null; detl_sn: string | null; last_error: string | null; reply_json: string | null; created_at: string; updated_at: string; acked_at: string | null;
};
const toUpload = (r: UploadDbRow): UploadRow => ({
  id: r.id, filingId: r.filing_id, seq: r.seq, action: r.action, infno: r.infno, disease: r.disease, psnNo: r.psn_no, payload: JSON.parse(r.payload_json) as Record<string, string>,
  status: r.status, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, msgid: r.msgid, detlSn: r.detl_sn, lastError: r.last_error,
  reply: r.reply_json ? (JSON.parse(r.reply_json) as unknown) : null, createdAt: r.created_at, updatedAt: r.updated_at, ackedAt: r.acked_at,
});

/** Ids of filing uploads in one state. */
export function uploadIdsWithStatus(db: DB, status: UploadStatus): string[] {
  return (db.prepare(`SELECT id FROM filing_upload WHERE status = ?`).all(status) as { id: string }[]).map((r) => r.id);
}

export function uploadStatus(db: DB, id: string): string | null {
  return (db.prepare(`SELECT status FROM filing_upload WHERE id = ?`).get(id) as { status: string } | undefined)?.status ?? null;
}

export function uploadsOf(db: DB, filingId: string): UploadRow[] {
  return (db.prepare(`SELECT * FROM filing_upload WHERE filing_id = ? ORDER BY seq`).all(filingId) as UploadDbRow[]).map(toUpload);
}

/** Uploads due now, oldest filing first (a revoke never overtakes the register before it). */
export function dueUploads(db: DB, nowMs: number, limit: number): UploadRow[] {
  return (
    db.prepare(`SELECT u.* FROM filing_upload u JOIN filing f ON f.id = u.filing_id WHERE u.status = 'pending' AND u.next_attempt_at <= ? ORDER BY f.created_at, u.seq LIMIT ?`).all(nowMs, limit) as UploadDbRow[]
  ).map(toUpload);
}

/** Filing uploads a person must look at: refused, outcome unknown, or given up on. */
export function uploadsNeedingAttention(db: DB): unknown[] {
  return db
    .prepare(`SELECT id, filing_id, infno, disease, psn_no, status, attempts, last_error FROM filing_upload WHERE status IN ('rejected', 'ambiguous', 'dead') ORDER BY created_at`)
    .all();
}

export function uploadCounts(db: DB): Record<UploadStatus, number> {
  const out: Record<UploadStatus, number> = { pending: 0, sending: 0, acked: 0, rejected: 0, ambiguous: 0, dead: 0 };
  for (const r of db.prepare(`SELECT status, count(*) AS n FROM filing_upload GROUP BY status`).all() as { status: UploadStatus; n: number }[]) out[r.status] = r.n;
  return out;
}

/** An earlier upload for the same patient and disease that is not finished (acked or dead). */
export function unfinishedBefore(db: DB, u: UploadRow): UploadRow | null {
  const r = db
    .prepare(
      `SELECT u.* FROM filing_upload u JOIN filing f ON f.id = u.filing_id, filing me
       WHERE me.id = ? AND u.psn_no = ? AND u.disease = ? AND u.status NOT IN ('acked', 'dead', 'rejected')
         AND (f.created_at < me.created_at OR (u.filing_id = me.id AND u.seq < ?)) ORDER BY f.created_at LIMIT 1`,
    )
    .get(u.filingId, u.psnNo, u.disease, u.seq) as UploadDbRow | undefined;
  return r ? toUpload(r) : null;
}

/** The platform's serial of the latest acknowledged registration (2503 trt_dcla_detl_sn), for a revoke. */
export function registeredSerial(db: DB, psnNo: string, disease: ConditionName): string | null {
  const r = db.prepare(`SELECT detl_sn FROM filing_upload WHERE psn_no = ? AND disease = ? AND action = 'register' AND status = 'acked' AND detl_sn IS NOT NULL ORDER BY acked_at DESC LIMIT 1`).get(psnNo, disease) as
    | { detl_sn: string }
    | undefined;
  return r?.detl_sn ?? null;
}

export function updateUpload(
  db: DB,
  id: string,
  f: { status: UploadStatus; attempts?: number; nextAttemptAt?: number; msgid?: string | null; detlSn?: string | null; lastError?: string | null; reply?: unknown; payload?: Record<string, string>; ackedAt?: string | null },
  now: string,
): void {
  const cur = db.prepare(`SELECT * FROM filing_upload WHERE id = ?`).get(id) as UploadDbRow | undefined;
  if (!cur) throw new Error(`no filing upload ${id}`);
  db.prepare(
    `UPDATE filing_upload SET status = ?, attempts = ?, next_attempt_at = ?, msgid = ?, detl_sn = ?, last_error = ?, reply_json = ?, payload_json = ?, acked_at = ?, updated_at = ? WHERE id = ?`,
  ).run(
    f.status, f.attempts ?? cur.attempts, f.nextAttemptAt ?? cur.next_attempt_at, f.msgid === undefined ? cur.msgid : f.msgid, f.detlSn === undefined ? cur.detl_sn : f.detlSn,
    f.lastError === undefined ? cur.last_error : f.lastError, f.reply === undefined ? cur.reply_json : JSON.stringify(f.reply),
    f.payload ? JSON.stringify(f.payload) : cur.payload_json, f.ackedAt === undefined ? cur.acked_at : f.ackedAt, now, id,
  );
}
