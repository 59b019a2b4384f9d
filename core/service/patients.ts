// The façade's view of local data, shaped for the screen: core/patient finds the patient and
// builds the engine request (identity → roster → ledger → policy; catalog → listing → payment
// standard); this module turns its answers into the service contract's PatientView / QuoteOutput.
import { InputError } from '../contract/problems.ts';
import type { SettleInput } from '../settlement/contract.ts';
import { settle } from '../settlement/settle.ts';
import type { SettlementRecord } from '../settlement/view.ts';
import { ServiceRefusal } from './errors.ts';
import type { QuoteRequest, QuoteResult } from '../contract/quote.ts';
import type { RosterRecord } from '../contract/patient.ts';
import type { Institution } from '../contract/institution.ts';
import { identify, type IdentifyResult } from '../identity/index.ts';
import { Decimal, fen, unitPrice } from '../money/decimal.ts';
import { reason, type PolicyBook } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { getCatalogItem, listing, type CatalogItem } from '../store/catalog.ts';
import { lookupPatient, quoteForPatient, resolvePatient, type PatientLookup } from '../patient/index.ts';
import { recordDispensing, superviseSale, supplyRules, type Finding as SupervisionFinding } from '../supervision/index.ts';
import { CONDITION_ZH, INSURANCE_ZH, type CatalogHit, type LookupOutput, type PatientView, type QuoteOutput } from './contract.ts';

/** The patient record for a scanned input, or null (not found, unreadable). */
export function findRecord(db: DB, input: string, date: string): RosterRecord | null {
  try {
    return resolvePatient(db, input, date).record;
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
}

export function ageOn(birth: string | null, date: string): number | null {
  if (!birth || !/^\d{4}-\d{2}-\d{2}$/.test(birth)) return null;
  let age = Number(date.slice(0, 4)) - Number(birth.slice(0, 4));
  if (date.slice(5) < birth.slice(5)) age -= 1;
  return age >= 0 ? age : null;
}

export const GENDER_ZH: Record<string, string> = { '1': '男', '2': '女', '9': '未说明' };

/** The patient panel from core/patient's lookup: flags, policy in force, eligibility in plain Chinese, the cap. */
export function toPatientView(p: PatientLookup, inst: Institution): PatientView {
  const cap = p.cap.limit !== null && p.cap.left !== null ? { limit: p.cap.limit, used: fen(new Decimal(p.cap.used)), left: p.cap.left } : null;
  return {
    psnNo: p.patient.psnNo,
    nameMasked: p.patient.name,
    certnoMasked: p.patient.certno,
    gender: GENDER_ZH[p.patient.gender ?? '9'] ?? '',
    age: ageOn(p.patient.birthDate, p.date),
    insurance: p.patient.insurance,
    insuranceZh: INSURANCE_ZH[p.patient.insurance],
    conditions: p.flags.conditions,
    conditionsZh: p.flags.conditions.map((c) => CONDITION_ZH[c]).join('、') || '无',
    managementClass: p.flags.managementClass,
    designatedInstitution: p.flags.designatedInstitution,
    designatedHere: p.flags.designatedInstitution ? p.flags.designatedInstitution === inst.code : null,
    status: p.flags.status === 'stopped' && p.eligibility.reasons.some((r) => r.code === 'PATIENT_STOPPED') ? '已停止' : 'active',
    policy: p.policy,
    eligible: p.eligibility.eligible,
    reasons: p.eligibility.reasons.map((r) => ({ code: r.code, message: r.message })),
    cap,
  };
}

/** Lookup for the screen: a patient who is not found is an answer (found: false, with why), not an error. */
export function lookupView(db: DB, book: PolicyBook, inst: Institution, input: string, date: string): LookupOutput {
  const kind = identify(input, { today: date }).kind;
  try {
    return { found: true, kind, patient: toPatientView(lookupPatient(db, book, input, date), inst), problems: [] };
  } catch (e) {
    if (e instanceof InputError && /^PATIENT_/.test(e.code)) return { found: false, kind, patient: null, problems: e.problems };
    throw e;
  }
}

export function catalogHit(db: DB, item: CatalogItem, region: string): CatalogHit {
  const l = listing(db, item.code, region);
  const price = item.retail_price ?? item.vbp_price ?? '0';
  return {
    code: item.code,
    ownCode: item.own_code,
    barcode: item.barcode,
    name: item.generic_name,
    tradeName: item.trade_name,
    form: item.dosage_form,
    spec: item.spec,
    manufacturer: item.manufacturer,
    unit: item.package_unit ?? item.min_unit,
    price: unitPrice(price),
    // As core/patient prices it: the list's own standard, else a VBP drug's winning price (seed 000 §二.(二).4), else the catalog's.
    paymentStandard: l.paymentStandard ?? (item.vbp ? item.vbp_price : null) ?? item.payment_standard,
    listed: l.listed,
    vbp: item.vbp,
    grade: item.drug_class,
    restriction: item.restriction,
    demo: item.demo,
  };
}

export interface Priced {
  output: QuoteOutput;
  request: QuoteRequest;
  result: QuoteResult;
  record: RosterRecord;
  identified: IdentifyResult;
  items: CatalogHit[];
  /** Lines with days of supply, as core/supervision records them after the sale. */
  supervised: { id: string; code: string; genericName: string; drugGroup: string | null; quantity: string; days: number }[];
  /** Recorded overrides that unblock lines of this sale: settling links them to the settlement. */
  overrideIds: string[];
  /** Each line's supervision findings as core/supervision gave them (for the override dialog). */
  findings: Map<string, SupervisionFinding[]>;
}

/**
 * The live split on screen: core/patient builds the engine request from the database (patient,
 * institution, catalog listing, payment standard, ledger) and quotes it; this shapes it for the screen.
 */
export function priceSale(db: DB, book: PolicyBook, inst: Institution, patientInput: string, date: string, lines: { code: string; quantity: string; days?: number | undefined }[]): Priced {
  const { record } = resolvePatient(db, patientInput, date);
  const identified = identify(patientInput, { today: date });
  const q = quoteForPatient(db, book, { input: patientInput, date, lines: lines.map((l, i) => ({ code: l.code, quantity: l.quantity, id: `L${i + 1}` })) });
  const items: CatalogHit[] = lines.map((l, i) => {
    const item = getCatalogItem(db, l.code)!;
    return { ...catalogHit(db, item, inst.region), price: unitPrice(q.items[i]!.price), paymentStandard: q.items[i]!.paymentStandard };
  });
  const result = q.result;
  // Over the region's supply ceiling or a refill too early (core/supervision): only lines whose days are known.
  const supervised = lines.flatMap((l, i) => {
    if (l.days === undefined) return [];
    const item = getCatalogItem(db, l.code)!;
    return [{ id: `L${i + 1}`, code: item.code, genericName: item.generic_name, drugGroup: item.drug_group, quantity: l.quantity, days: l.days }];
  });
  const findings = new Map<string, { code: string; message: string }[]>();
  const raw = new Map<string, SupervisionFinding[]>();
  const blockedLines = new Set<string>();
  const overrideIds = new Set<string>();
  if (supervised.length > 0) {
    const verdict = superviseSale(db, book, { policy: inst.policy, psnNo: record.psn_no, date, lines: supervised });
    for (const v of verdict.lines) {
      raw.set(v.id, v.findings);
      findings.set(v.id, v.findings.map((f) => ({ code: f.rule, message: f.overrideId ? `${f.messageZh}（已登记放行）` : f.messageZh })));
      for (const f of v.findings) if (f.overrideId) overrideIds.add(f.overrideId);
      if (v.blocked) blockedLines.add(v.id);
    }
  }
  const rules = supervised.length > 0 ? supplyRules(book, inst.policy, date) : null;
  const output: QuoteOutput = {
    patient: toPatientView(q.patient, inst),
    date,
    eligible: result.eligible,
    reasons: result.reasons,
    total: result.total,
    fund: result.fund,
    patientPays: result.patient,
    cap: { limit: result.cap.limit, before: result.cap.remainingBefore, after: result.cap.remainingAfter },
    lines: result.lines.map((r, i) => {
      const warnings: { code: string; message: string }[] = [];
      if (r.reason) warnings.push({ code: r.reason.code, message: r.reason.message });
      if (!items[i]!.listed && !warnings.some((w) => w.code === 'NOT_LISTED')) warnings.push(reason('NOT_LISTED'));
      if (items[i]!.restriction) warnings.push({ code: 'RESTRICTION', message: `限制：${items[i]!.restriction}` });
      warnings.push(...(findings.get(r.id) ?? []));
      return {
        lineId: r.id,
        item: items[i]!,
        quantity: lines[i]!.quantity,
        total: r.total,
        inScope: r.inScope,
        rate: r.rate,
        fund: r.fund,
        patient: r.patient,
        covered: r.covered,
        warnings,
        blocked: blockedLines.has(r.id),
        blockedBy: (raw.get(r.id) ?? []).flatMap((f) => (f.severity === 'block' && !f.overrideId && (f.rule === 'MAX_SUPPLY' || f.rule === 'EARLY_REFILL') ? [f.rule] : [])),
      };
    }),
    supply: rules ? { maxDaysPerPrescription: rules.maxDaysPerPrescription, source: rules.source } : null,
    blocked: blockedLines.size > 0,
  };
  return { output, request: q.request, result, record, identified, items, supervised, overrideIds: [...overrideIds], findings: raw };
}

/**
 * What the journal needs to settle a priced sale: the patient with the certificate the platform
 * messages carry (the one read at the counter, else the ID number), the institution, the lines.
 */
export function settleInputFor(priced: Priced, inst: Institution, operator: { id: string; name: string }, requestId: string | null | undefined): SettleInput {
  const cert = priced.identified.cert;
  const r = priced.record;
  return {
    requestId: requestId ?? null,
    request: priced.request,
    result: priced.result,
    patient: {
      psnNo: r.psn_no,
      certType: (cert?.mdtrtCertType as '01' | '02' | '03' | undefined) ?? '02',
      certNo: cert?.mdtrtCertNo ?? r.certno ?? r.psn_no,
      cardSn: cert?.cardSn ?? null,
      certno: r.certno,
      name: r.name,
      insutype: r.insutype,
      insuplcAdmdvs: r.region && /^\d{6}$/.test(r.region) ? r.region : null,
    },
    institution: { code: inst.code, name: inst.name, type: inst.type, level: inst.level, region: inst.region },
    operator,
    lines: priced.items.map((it, i) => ({ lineId: `L${i + 1}`, code: it.code, ownCode: it.ownCode, name: it.name, spec: it.spec })),
  };
}

/**
 * The counter settles a sale under the scheme only when the patient is eligible and no line is
 * blocked by supervision (a blocked line needs an authorised override first); every caller checks here.
 */
export function assertSettleable(priced: Priced): void {
  const out = priced.output;
  if (!out.eligible) {
    const why = out.reasons.map((r) => r.message).join('；');
    throw settleRefusal('NOT_ELIGIBLE', `this sale is not covered by the two-disease scheme: ${out.reasons.map((r) => r.code).join(', ')}`, `本次不享受两病待遇：${why}。请按普通门诊或自费结算。`, 'patient');
  }
  if (out.blocked) {
    const why = out.lines.filter((l) => l.blocked).map((l) => `${l.item.name}：${l.warnings.filter((w) => w.code === 'MAX_SUPPLY' || w.code === 'EARLY_REFILL').map((w) => w.message).join('；')}`);
    throw settleRefusal('SUPPLY_BLOCKED', "a line is over the region's supply rules (supply ceiling or early refill); change the quantity or days, or record an authorised override", `用药监管：${why.join('；')}`, 'lines');
  }
}

function settleRefusal(code: string, message: string, messageZh: string, path: string): ServiceRefusal {
  return new ServiceRefusal(code, message, messageZh, [{ path, code, message, messageZh }]);
}

/**
 * Writes the settlement (journal, ledger, outbox) and what was dispensed, with the overrides that
 * unblocked it linked to it (audit: which sale used which override). Call inside a transaction.
 */
export function writeSettlement(db: DB, priced: Priced, inst: Institution, operator: { id: string; name: string }, requestId: string | null | undefined, date: string, now: Date): SettlementRecord {
  const rec = settle(db, settleInputFor(priced, inst, operator, requestId), { now });
  if (priced.supervised.length > 0) {
    recordDispensing(db, { settlementId: rec.id, psnNo: priced.record.psn_no, date, institution: inst.code, lines: priced.supervised, overrideIds: priced.overrideIds }, now);
  }
  return rec;
}
