// Filing (备案) at the counter: validate, decide (plan.ts), then in one transaction write the
// filing record, the roster row (eligible at once) and the platform messages to upload.
import { randomUUID } from 'node:crypto';
import type { DB } from '../store/db.ts';
import { getSetting } from '../store/settings.ts';
import { InputError, parseOrThrow } from '../contract/problems.ts';
import {
  dueUploads,
  getFiling,
  insertFiling,
  insertUpload,
  readRosterState,
  registeredSerial,
  unfinishedBefore,
  updateUpload,
  uploadIdsWithStatus,
  uploadStatus,
  uploadsOf,
  writeRosterState,
  type FilingRow,
  type UploadRow,
} from '../store/filing.ts';
import { FilingRequestSchema, type FilingRequestInput } from './contract.ts';
import { planFiling, type FilingInstitution } from './plan.ts';
import { FILING_CODES, type FilingCodeSet } from './rules.ts';
import { qualificationFormHtml } from './form.ts';
import { serviceDate } from '../clock/index.ts';

export * from './contract.ts';
export * from './rules.ts';
export { planFiling, institutionMayNotFile, type FilingInstitution, type RosterState, type FilingPlan, type PlannedMessage } from './plan.ts';
export { qualificationFormHtml, ageOn, escapeHtml } from './form.ts';
export type { FilingRow, UploadRow } from '../store/filing.ts';

export const REGION_NAMES: Record<string, string> = { lincang: '临沧市', chongqing: '重庆市', kunming: '昆明市', ezhou: '鄂州市', dazhou: '达州市' };

function settingsMissing(keys: string[]): never {
  throw new InputError(
    'SETTINGS_MISSING',
    `The institution is not configured: set ${keys.join(', ')} (npm run --silent cli -- settings set KEY VALUE)`,
    `尚未配置本机构信息：请设置 ${keys.join('、')}`,
    keys.map((k) => ({ path: `institution.${k}`, code: 'REQUIRED', message: `${k} is not set`, messageZh: `未设置 ${k}` })),
  );
}

/**
 * The institution as filing needs it, from the site settings (institution.* keys of the settings
 * table) plus filing.public (yes/no: 公立) and filing.codes (national 2503/2504 or local 2562/2563).
 */
export function filingInstitution(db: DB): FilingInstitution & { codeSet: FilingCodeSet } {
  const code = getSetting(db, 'institution.code');
  const name = getSetting(db, 'institution.name');
  const type = getSetting(db, 'institution.type');
  const level = getSetting(db, 'institution.level');
  const policy = getSetting(db, 'institution.policy');
  const missing = Object.entries({ code, name, type, level, policy }).filter(([, v]) => v === null).map(([k]) => k);
  if (missing.length) settingsMissing(missing);
  const pub = getSetting(db, 'filing.public');
  const codes = getSetting(db, 'filing.codes');
  return {
    code: code!,
    name: name!,
    type: type!,
    level: level!,
    policy: policy!,
    isPublic: pub === null ? null : pub === 'yes',
    codeSet: codes === 'local' ? 'local' : 'national',
  };
}

export interface FilingOutcome {
  filing: FilingRow;
  uploads: UploadRow[];
  summary: string;
  summaryZh: string;
}

export function fileAtCounter(
  db: DB,
  o: { request: FilingRequestInput; institution: FilingInstitution; operator: { id: string; name: string }; codeSet?: FilingCodeSet },
  now: Date = new Date(),
): FilingOutcome {
  const req = parseOrThrow(FilingRequestSchema, o.request);
  const today = serviceDate(now);
  if (req.date > today) {
    throw new InputError('FUTURE_DATE', `the filing date ${req.date} is after today (${today})`, `备案日期 ${req.date} 晚于今天`, [
      { path: 'date', code: 'FUTURE_DATE', message: `after today (${today})`, messageZh: '晚于今天' },
    ]);
  }
  const at = now.toISOString();
  return db.transaction(() => {
    const before = readRosterState(db, req.psnNo);
    const plan = planFiling(req, before, o.institution, o.codeSet ?? 'national');
    const id = randomUUID();
    const filing: FilingRow = {
      id,
      kind: req.kind,
      psnNo: req.psnNo,
      filedOn: req.date,
      reason: req.kind === 'new' ? null : req.reason,
      conditionsBefore: before && before.status === 'active' ? before.conditions : [],
      conditionsAfter: plan.patient.status === 'active' ? plan.patient.conditions : [],
      managementClass: plan.patient.managementClass,
      doctorCode: req.doctor.code,
      doctorName: req.doctor.name,
      institutionCode: o.institution.code,
      operatorId: o.operator.id,
      operatorName: o.operator.name,
      request: req as unknown as Record<string, unknown>,
      patientBefore: before,
      patientAfter: plan.patient,
      createdAt: at,
    };
    insertFiling(db, filing);
    writeRosterState(db, plan.patient, before, id, at);
    plan.messages.forEach((m, seq) => insertUpload(db, { id: randomUUID(), filingId: id, seq, action: m.action, infno: m.infno, disease: m.disease, psnNo: req.psnNo, payload: m.payload }, at));
    return { filing, uploads: uploadsOf(db, id), summary: plan.summary, summaryZh: plan.summaryZh };
  }).immediate();
}

/** What a platform call came to. `unknown`: no reply (timeout, connection dropped after sending). */
export type TransportResult =
  | { kind: 'ok'; msgid: string; output: Record<string, unknown> }
  | { kind: 'refused'; msgid: string; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'unknown'; msgid: string; message: string };
export type FilingTransport = (infno: string, input: { data: Record<string, string> }) => Promise<TransportResult>;

export interface UploadRunOptions {
  now?: () => Date;
  limit?: number;
  maxAttempts?: number;
}

const BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000];

/**
 * Sends due filing messages one at a time, in order. A revoke takes the serial its register got.
 * Unreachable → retried with backoff, dead after maxAttempts; refused → rejected (shown for a
 * person to fix); no reply → ambiguous (a person checks with 5301 and retries or closes it).
 */
const running = new WeakSet<DB>();

/**
 * Uploads left 'sending' by a run that never finished (the process died mid-call) may or may not
 * have reached the platform: they become ambiguous for a person to check, never silently resent.
 */
export function recoverInterruptedUploads(db: DB, now: Date = new Date()): number {
  const stuck = uploadIdsWithStatus(db, 'sending');
  for (const id of stuck) updateUpload(db, id, { status: 'ambiguous', lastError: 'interrupted while sending (the platform may have it): check with 5301 before retrying' }, now.toISOString());
  return stuck.length;
}

export type UploadRunCounts = Record<'acked' | 'rejected' | 'retry' | 'dead' | 'ambiguous' | 'waiting' | 'recovered', number>;

export async function uploadFilings(db: DB, transport: FilingTransport, o: UploadRunOptions = {}): Promise<UploadRunCounts> {
  const now = o.now ?? (() => new Date());
  const counts: UploadRunCounts = { acked: 0, rejected: 0, retry: 0, dead: 0, ambiguous: 0, waiting: 0, recovered: 0 };
  // One run at a time per database: a second caller (a timer firing during a slow run) does nothing.
  if (running.has(db)) return counts;
  running.add(db);
  try {
    counts.recovered = recoverInterruptedUploads(db, now());
    await uploadDue(db, transport, o, now, counts);
  } finally {
    running.delete(db);
  }
  return counts;
}

async function uploadDue(db: DB, transport: FilingTransport, o: UploadRunOptions, now: () => Date, counts: UploadRunCounts): Promise<void> {
  for (const u of dueUploads(db, now().getTime(), o.limit ?? 50)) {
    if (unfinishedBefore(db, u)) {
      counts.waiting += 1;
      continue;
    }
    let payload = u.payload;
    if (u.action === 'revoke' && !payload.trt_dcla_detl_sn) payload = { ...payload, trt_dcla_detl_sn: registeredSerial(db, u.psnNo, u.disease) ?? '' };
    const attempts = u.attempts + 1;
    updateUpload(db, u.id, { status: 'sending', attempts, payload }, now().toISOString());
    let r: TransportResult;
    try {
      r = await transport(u.infno, { data: payload });
    } catch (e) {
      // A transport that throws has not told us whether it sent: the platform may have it.
      r = { kind: 'unknown', msgid: '', message: (e as Error)?.message ?? String(e) };
    }
    const at = now().toISOString();
    if (r.kind === 'ok') {
      const sn = r.output.trt_dcla_detl_sn ?? r.output.trtDclaDetlSn ?? (r.output.result as Record<string, unknown> | undefined)?.trt_dcla_detl_sn;
      updateUpload(db, u.id, { status: 'acked', msgid: r.msgid, reply: r.output, detlSn: sn === undefined ? null : String(sn), lastError: null, ackedAt: at }, at);
      counts.acked += 1;
    } else if (r.kind === 'refused') {
      updateUpload(db, u.id, { status: 'rejected', msgid: r.msgid, lastError: r.message }, at);
      counts.rejected += 1;
    } else if (r.kind === 'unknown') {
      updateUpload(db, u.id, { status: 'ambiguous', msgid: r.msgid || u.msgid, lastError: r.message }, at);
      counts.ambiguous += 1;
    } else if (attempts >= (o.maxAttempts ?? 20)) {
      updateUpload(db, u.id, { status: 'dead', lastError: r.message }, at);
      counts.dead += 1;
    } else {
      const delay = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
      updateUpload(db, u.id, { status: 'pending', nextAttemptAt: now().getTime() + delay, lastError: r.message }, at);
      counts.retry += 1;
    }
  }
}

/** A person's decision on an ambiguous, rejected or dead upload: send it again (after checking). */
export function retryUpload(db: DB, id: string, now: Date = new Date()): void {
  const status = uploadStatus(db, id);
  if (status === null) throw new InputError('UNKNOWN_UPLOAD', `no filing upload ${id}`, '没有该备案上传记录', [{ path: 'id', code: 'UNKNOWN_UPLOAD', message: 'not found', messageZh: '未找到' }]);
  if (!['ambiguous', 'rejected', 'dead'].includes(status)) {
    throw new InputError('NOT_RETRYABLE', `upload ${id} is ${status}; only ambiguous, rejected or dead uploads are retried by hand`, '只有结果不明、被拒或失败的上传可以重试', [
      { path: 'id', code: 'NOT_RETRYABLE', message: status, messageZh: status },
    ]);
  }
  updateUpload(db, id, { status: 'pending', nextAttemptAt: 0 }, now.toISOString());
}

/** The 审定表 of a filing, as printable HTML. */
export function qualificationForm(db: DB, filingId: string, institutionName: string, policy: string): string {
  const f = getFiling(db, filingId);
  if (!f) throw new InputError('UNKNOWN_FILING', `no filing ${filingId}`, '没有该备案记录', [{ path: 'id', code: 'UNKNOWN_FILING', message: 'not found', messageZh: '未找到' }]);
  const req = f.request as { person?: { address?: string | null }; diagnoses?: { code: string; name: string }[]; drugs?: { genericName: string; usage: string | null }[]; history?: string | null };
  const p = f.patientAfter;
  return qualificationFormHtml({
    regionName: REGION_NAMES[policy] ?? '',
    institutionName,
    name: p.name,
    gender: p.gender,
    birthDate: p.birthDate,
    certno: p.certno,
    address: req.person?.address ?? null,
    insuredRegion: p.region,
    conditions: f.conditionsAfter.length ? f.conditionsAfter : f.conditionsBefore,
    history: req.history ?? null,
    diagnoses: req.diagnoses ?? [],
    drugs: req.drugs ?? [],
    doctorName: f.doctorName,
    date: f.filedOn,
  });
}

export { FILING_CODES };
