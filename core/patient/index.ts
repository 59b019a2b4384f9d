// The patient at the counter: read what was scanned or typed (core/identity), find them in the
// local roster, say which policy version applies on the date, whether they are eligible and
// why not, the annual cap with what is used and left; and build a quote request for a sale
// entirely from local data (roster, settings, catalog, list membership, ledger).
import { InputError, parseOrThrow, problem, type Problem } from '../contract/problems.ts';
import { isRealDate } from '../contract/fields.ts';
import { QuoteRequestSchema, type QuoteRequest, type QuoteRequestInput, type QuoteResult } from '../contract/quote.ts';
import { conditionList, type RosterRecord } from '../contract/patient.ts';
import { classFromDiagnosis } from '../contract/diagnosis.ts';
import type { Institution } from '../contract/institution.ts';
import { identify, VOUCHER_HINT, type IdentifyResult } from '../identity/index.ts';
import { maskCardNo, maskCertno, maskName } from '../identity/mask.ts';
import { Decimal, fen } from '../money/decimal.ts';
import { eligibilityReasons, policyCap, quote, REASONS, type PolicyBook, type ReasonCode } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { findPatient, findPatientByPsnOrCertno, poolReportOf } from '../store/roster.ts';
import { getCatalogItem, listing, type CatalogItem } from '../store/catalog.ts';
import { treatsOf } from '../contract/catalog.ts';
import { usageAfterReport, usageBreakdown } from '../store/ledger.ts';
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

export function describePatient(db: DB, book: PolicyBook, inst: Institution, r: RosterRecord, date: string, read: PatientLookup['input'], options: LookupOptions = {}): PatientLookup {
  const { policy, version } = book.resolve(inst.policy, date);
  const facts = patientFacts(r, date, version.eligibility.requiresManagementClass);
  const factsAsFlagged = { ...facts, conditions: conditionList(r.conditions) };
  const probe: QuoteRequest = { policy: inst.policy, date, institution: institutionFacts(inst), patient: factsAsFlagged, usedThisYear: '0.00', annualCap: null, lines: [] };
  const codes: ReasonCode[] = [...rosterBlocks(r, date), ...eligibilityReasons(version, probe)];
  // The record carries the bureau's pool figure (read with it); only the local entries are summed.
  const report = poolReportOf(r);
  const usage = report === undefined ? usageBreakdown(db, r.psn_no, date) : usageAfterReport(db, r.psn_no, date, report);
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

export interface SaleLine {
  /** National code, the institution's own code, or the barcode. */
  code: string;
  quantity: string | number;
  /** Overrides the catalog's retail price (a price the clerk keys in). */
  price?: string | number;
  /** Line id in the request (default: its position, from 1). */
  id?: string;
  kind?: 'drug' | 'exam';
}

export interface SaleInput {
  input: string;
  date: string;
  lines: SaleLine[];
}

export interface QuotedItem {
  id: string;
  code: string;
  name: string;
  spec: string | null;
  listed: boolean;
  /** The list that decided (county, prefecture or province code); null when no list is loaded. */
  list: string | null;
  vbp: boolean;
  price: string;
  paymentStandard: string | null;
  drugClass: '甲' | '乙' | null;
  restriction: string | null;
  demo: boolean;
}

export interface PatientQuote {
  patient: PatientLookup;
  request: QuoteRequest;
  result: QuoteResult;
  items: QuotedItem[];
}

/** The payment standard that applies: the list's own, else a VBP drug's winning price (seed 000 §二.(二).4), else the catalog's. */
function paymentStandardFor(item: CatalogItem, listStandard: string | null): string | null {
  return listStandard ?? (item.vbp ? item.vbp_price : null) ?? item.payment_standard;
}

/**
 * Builds the quote request for a sale from local data and calls the engine. An unknown code
 * is an InputError naming lines.N.code; every bad line is named at once.
 */
export function quoteForPatient(db: DB, book: PolicyBook, sale: SaleInput, options: LookupOptions = {}): PatientQuote {
  checkDate(sale.date);
  const inst = requireInstitution(db);
  if (!Array.isArray(sale.lines) || sale.lines.length === 0) {
    throw new InputError('INVALID_REQUEST', 'a sale needs at least one line', '至少需要一个药品明细', [problem('lines', 'too_small', 'a sale needs at least one line', '至少需要一个药品明细')]);
  }
  const { record, read } = resolvePatient(db, sale.input, sale.date);
  const patient = describePatient(db, book, inst, record, sale.date, read, options);
  const problems: Problem[] = [];
  const items: QuotedItem[] = [];
  const lines: QuoteRequestInput['lines'] = [];
  sale.lines.forEach((line, i) => {
    const code = typeof line?.code === 'string' ? line.code.trim() : '';
    const item = code === '' ? null : getCatalogItem(db, code);
    if (!item) {
      problems.push(
        code === ''
          ? problem(`lines.${i}.code`, 'REQUIRED', 'each line needs a drug code (national code, own code or barcode)', '请填写药品编码')
          : problem(`lines.${i}.code`, 'UNKNOWN_DRUG', `no catalog item has national code, own code or barcode ${JSON.stringify(code)}`, `药品目录中没有编码为 ${code} 的药品`),
      );
      return;
    }
    const price = line.price ?? item.retail_price;
    if (price === null || price === undefined) {
      problems.push(problem(`lines.${i}.price`, 'NO_PRICE', `item ${item.code} has no retail price in the catalog; key one in`, `药品 ${item.generic_name} 未设置零售价，请输入单价`));
      return;
    }
    const l = listing(db, item.code, inst.region);
    const standard = paymentStandardFor(item, l.paymentStandard);
    const id = line.id ?? String(i + 1);
    const treats = treatsOf(item);
    lines.push({ id, kind: line.kind ?? 'drug', listed: l.listed, vbp: item.vbp, price: typeof price === 'number' ? String(price) : price, paymentStandard: standard, quantity: line.quantity, ...(treats ? { treats } : {}) });
    items.push({
      id,
      code: item.code,
      name: item.trade_name ? `${item.generic_name}（${item.trade_name}）` : item.generic_name,
      spec: item.spec,
      listed: l.listed,
      list: l.list,
      vbp: item.vbp,
      price: String(price),
      paymentStandard: standard,
      drugClass: item.drug_class,
      restriction: item.restriction,
      demo: item.demo,
    });
  });
  if (problems.length > 0) {
    throw new InputError('INVALID_REQUEST', `The sale is invalid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`, '销售明细有误', problems);
  }
  const { version } = book.resolve(inst.policy, sale.date);
  const raw: QuoteRequestInput = {
    policy: inst.policy,
    date: sale.date,
    institution: institutionFacts(inst),
    patient: patientFacts(record, sale.date, version.eligibility.requiresManagementClass),
    usedThisYear: patient.cap.used,
    // A site cap only where the policy sets none (it must not override a published table).
    annualCap: version.cap.kind === 'supplied' ? inst.annualCap : null,
    lines,
  };
  const request = parseOrThrow(QuoteRequestSchema, raw);
  const result = quote(book, request);
  const blocks = rosterBlocks(record, sale.date);
  if (blocks.length > 0) {
    // The engine saw no active condition; say why in the roster's own words.
    result.reasons = [...blocks.map((c) => ({ code: c, message: REASONS[c].zh })), ...result.reasons.filter((x) => x.code !== 'NO_QUALIFYING_CONDITION')];
    for (const l of result.lines) if (l.reason?.code === 'NO_QUALIFYING_CONDITION') l.reason = { code: blocks[0]!, message: REASONS[blocks[0]!].zh };
  }
  return { patient, request, result, items };
}
