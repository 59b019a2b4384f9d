// The patient at the counter: read what was scanned or typed (core/identity), find them in the
// local roster, say which policy version applies on the date, whether they are eligible and
// why not, the annual cap with what is used and left. A sale is priced by core/sale.
import { InputError, problem } from '../contract/problems.ts';
import { isRealDate } from '../contract/fields.ts';
import type { QuoteRequest } from '../contract/quote.ts';
import { conditionList, type RosterRecord } from '../contract/patient.ts';
import { classFromDiagnosis } from '../contract/diagnosis.ts';
import type { Institution } from '../contract/institution.ts';
import { identify, VOUCHER_HINT, type IdentifyResult } from '../identity/index.ts';
import { maskCardNo, maskCertno, maskName } from '../identity/mask.ts';
import { Decimal, fen } from '../money/decimal.ts';
import { eligibilityReasons, policyCap, REASONS, type PolicyBook, type ReasonCode } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { findPatient, findPatientByPsnOrCertno, poolReportOf } from '../store/roster.ts';
import { usageAfterReport, usageBreakdown, type UsageBreakdown } from '../store/ledger.ts';
import { requireInstitution } from '../store/settings.ts';

export interface ReasonOut {
  code: string;
  /** Chinese, for the screen. */
  message: string;
  /** English, for logs and the CLI. */
  messageEn: string;
}

const reasonOut = (code: ReasonCode): ReasonOut => ({ code, message: REASONS[code].zh, messageEn: REASONS[code].en });

export interface PatientLookup {
  /** How the input was read (masked: never the full number). */
  input: { kind: IdentifyResult['kind'] | 'psn-no'; masked: string };
  patient: {
    psnNo: string;
    name: string;
    certno: string;
    cardNo: string;
    gender: '1' | '2' | '9' | null;
    birthDate: string | null;
    insutype: '390' | '310';
    insurance: 'resident' | 'employee';
    region: string | null;
  };
  /** Unmasked identifiers, only when asked for (the operator settling needs them; logs never). */
  raw?: { name: string; certno: string | null; cardNo: string | null };
  flags: {
    conditions: ('hypertension' | 'diabetes')[];
    managementClass: 1 | 2 | null;
    otherChronicDiseases: number;
    chronicDiseaseSince: string | null;
    designatedInstitution: string | null;
    paymentMode: 'fee-for-service' | 'capitation';
    capitation: { institution: string | null; startMonth: string | null } | null;
    flaggedDate: string | null;
    flaggedBy: string | null;
    status: 'active' | 'stopped';
    stoppedDate: string | null;
    stoppedReason: string | null;
    hasEcToken: boolean;
  };
  date: string;
  policy: { id: string; name: string; version: string; document: string };
  eligibility: { eligible: boolean; reasons: ReasonOut[] };
  cap: {
    /** null when the policy sets none and the site supplies none (Dazhou). */
    limit: string | null;
    used: string;
    left: string | null;
    source: string | null;
    /** The bureau's figure that counts, and this institution's own entries on top of it. */
    reported: { amount: string; asOf: string } | null;
    local: string;
  };
}

function notFound(input: string, id: IdentifyResult): InputError {
  if (id.kind === 'ec-voucher') {
    return new InputError('PATIENT_NEEDS_NETWORK', VOUCHER_HINT.message, VOUCHER_HINT.messageZh, [problem('input', 'PATIENT_NEEDS_NETWORK', VOUCHER_HINT.message, VOUCHER_HINT.messageZh)]);
  }
  if (!id.valid && id.kind !== 'unknown') {
    const first = id.problems[0];
    return new InputError('PATIENT_UNREADABLE', `The ${id.kind} could not be read: ${first?.message ?? 'invalid'}`, `无法识别证件：${first?.messageZh ?? '格式有误'}`, id.problems.map((p) => ({ ...p, path: `input${p.path ? '.' + p.path : ''}` })));
  }
  const shown = id.masked || maskCertno(input);
  return new InputError(
    'PATIENT_NOT_FOUND',
    `No patient ${shown} on the local two-disease roster (import the bureau's roster, or file the patient at the counter)`,
    `本地两病名单中没有该患者（${shown}），请导入医保名单或在柜台备案`,
    [problem('input', 'PATIENT_NOT_FOUND', `not on the local roster: ${shown}`, '本地名单中无此人')],
  );
}

/**
 * Finds the patient for what was scanned or typed: a 人员编号 as it is, an ID number (15 or 18,
 * check digit verified), a social-security card record (card number, then its ID number), or
 * an e-voucher token the roster carries. Throws InputError when not found or unreadable.
 */
export function resolvePatient(db: DB, input: string, date: string): { record: RosterRecord; read: PatientLookup['input'] } {
  const text = input.trim();
  const psnCandidate = text !== '' && text.length <= 30;
  const id = identify(text, { today: date });
  if (psnCandidate && id.valid && id.kind === 'id-card') {
    // The common case, an ID number: the 人员编号 probe and the ID number's record in one statement.
    const record = findPatientByPsnOrCertno(db, text, id.normalized);
    if (!record) throw notFound(text, id);
    return { record, read: record.psn_no === text ? { kind: 'psn-no', masked: text } : { kind: id.kind, masked: id.masked } };
  }
  const byPsn = psnCandidate ? findPatient(db, { psnNo: text }) : null;
  if (byPsn) return { record: byPsn, read: { kind: 'psn-no', masked: text } };
  let record: RosterRecord | null = null;
  if (id.valid) {
    if (id.kind === 'id-card') record = findPatient(db, { certno: id.normalized });
    else if (id.kind === 'social-security-card' && id.card) {
      record = (id.card.cardNo ? findPatient(db, { cardNo: id.card.cardNo }) : null) ?? (id.card.certno ? findPatient(db, { certno: id.card.certno.toUpperCase() }) : null);
    } else if (id.kind === 'ec-voucher') record = findPatient(db, { ecToken: id.normalized });
  }
  if (id.kind === 'unknown' && !record) record = findPatient(db, { cardNo: text });
  if (!record) throw notFound(text, id);
  return { record, read: { kind: id.kind, masked: id.masked } };
}

/**
 * The engine's patient facts. A stopped (or not yet flagged) patient has no active condition on
 * that date. Where the policy needs a management class and the roster has none, the class the
 * diagnosis gives is used (seed 001 §一: every diabetic is class 2).
 */
export function patientFacts(r: RosterRecord, date: string, needsClass = false): QuoteRequest['patient'] {
  return {
    insurance: r.insutype === '310' ? 'employee' : 'resident',
    conditions: rosterBlocks(r, date).length > 0 ? [] : conditionList(r.conditions),
    managementClass: r.management_class ?? (needsClass ? classFromDiagnosis({ conditions: conditionList(r.conditions) }) : null),
    otherChronicDiseases: r.other_chronic_diseases ?? 0,
    chronicDiseaseSince: r.chronic_disease_since,
    designatedInstitution: r.designated_institution,
  };
}

/** Roster reasons the engine cannot see: stopped on or before the date, flagged only after it. */
export function rosterBlocks(r: RosterRecord, date: string): ReasonCode[] {
  const out: ReasonCode[] = [];
  if (r.status === 'stopped' && (r.stopped_date === null || r.stopped_date <= date)) out.push('PATIENT_STOPPED');
  if (r.flagged_date !== null && r.flagged_date > date) out.push('NOT_YET_FLAGGED');
  return out;
}

function checkDate(date: string): void {
  if (!isRealDate(date)) {
    throw new InputError('INVALID_DATE', `date must be a real date yyyy-MM-dd, got ${JSON.stringify(date)}`, '日期格式不正确', [problem('date', 'INVALID_DATE', `not a date: ${JSON.stringify(date)}`, '日期格式不正确')]);
  }
}

function institutionFacts(inst: Institution): QuoteRequest['institution'] {
  return { type: inst.type, level: inst.level, code: inst.code };
}

export interface LookupOptions {
  /** Include unmasked name and numbers (for the operator's settlement screen; never logged). */
  reveal?: boolean;
}

/** Everything the counter shows about a patient on a date. */
export function lookupPatient(db: DB, book: PolicyBook, input: string, date: string, options: LookupOptions = {}): PatientLookup {
  checkDate(date);
  const inst = requireInstitution(db);
  const { record: r, read } = resolvePatient(db, input, date);
  return describePatient(db, book, inst, r, date, read, options);
}

/** `given`: the year's usage when the caller has already read it (the sale pipeline reads it once). */
export function describePatient(db: DB, book: PolicyBook, inst: Institution, r: RosterRecord, date: string, read: PatientLookup['input'], options: LookupOptions = {}, given?: UsageBreakdown): PatientLookup {
  const { policy, version } = book.resolve(inst.policy, date);
  const facts = patientFacts(r, date, version.eligibility.requiresManagementClass);
  const factsAsFlagged = { ...facts, conditions: conditionList(r.conditions) };
  const probe: QuoteRequest = { policy: inst.policy, date, institution: institutionFacts(inst), patient: factsAsFlagged, usedThisYear: '0.00', annualCap: null, lines: [] };
  const codes: ReasonCode[] = [...rosterBlocks(r, date), ...eligibilityReasons(version, probe)];
  // The record carries the bureau's pool figure (read with it); only the local entries are summed.
  const report = poolReportOf(r);
  const usage = given ?? (report === undefined ? usageBreakdown(db, r.psn_no, date) : usageAfterReport(db, r.psn_no, date, report));
  let limit: Decimal | null = null;
  let source: string | null = null;
  const fromPolicy = policyCap(version, factsAsFlagged);
  if (fromPolicy) {
    limit = fromPolicy.amount;
    source = fromPolicy.source;
  } else if (inst.annualCap !== null) {
    limit = new Decimal(inst.annualCap);
    source = 'site setting annualCap';
  }
  const used = new Decimal(usage.used);
  const out: PatientLookup = {
    input: read,
    patient: {
      psnNo: r.psn_no,
      name: maskName(r.name),
      certno: maskCertno(r.certno),
      cardNo: maskCardNo(r.card_no),
      gender: r.gender,
      birthDate: r.birth_date,
      insutype: r.insutype,
      insurance: facts.insurance,
      region: r.region,
    },
    flags: {
      conditions: conditionList(r.conditions),
      managementClass: facts.managementClass ?? null,
      otherChronicDiseases: r.other_chronic_diseases,
      chronicDiseaseSince: r.chronic_disease_since,
      designatedInstitution: r.designated_institution,
      paymentMode: r.payment_mode,
      capitation: r.payment_mode === 'capitation' ? { institution: r.capitation_institution, startMonth: r.capitation_start_month } : null,
      flaggedDate: r.flagged_date,
      flaggedBy: r.flagged_by,
      status: r.status,
      stoppedDate: r.stopped_date,
      stoppedReason: r.stopped_reason,
      hasEcToken: r.ec_token !== null,
    },
    date,
    policy: { id: policy.id, name: policy.name, version: version.effectiveFrom, document: version.document },
    eligibility: { eligible: codes.length === 0, reasons: codes.map(reasonOut) },
    cap: {
      limit: limit ? fen(limit) : null,
      used: usage.used,
      left: limit ? fen(limit.greaterThan(used) ? limit.minus(used) : new Decimal(0)) : null,
      source,
      reported: usage.reported,
      local: usage.local,
    },
  };
  if (options.reveal) out.raw = { name: r.name, certno: r.certno, cardNo: r.card_no };
  return out;
}
