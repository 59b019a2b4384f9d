// The façade's view of local data, shaped for the screen: core/patient finds the patient for a
// lookup, the sale pipeline (core/sale) prices a sale; this module turns their answers into the
// service contract's PatientView / CatalogHit / QuoteOutput.
import { InputError } from '../contract/problems.ts';
import type { RosterRecord } from '../contract/patient.ts';
import type { Institution } from '../contract/institution.ts';
import { identify } from '../identity/index.ts';
import { Decimal, fen, unitPrice } from '../money/decimal.ts';
import { reason, type PolicyBook } from '../policy/index.ts';
import { explainQuote, plainSource } from '../policy/explain.ts';
import type { DB } from '../store/db.ts';
import { listing, type CatalogItem, type Listing } from '../store/catalog.ts';
import { lookupPatient, resolvePatient, type PatientLookup } from '../patient/index.ts';
import type { PricedSale } from '../sale/index.ts';
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
  return hitOf(item, listing(db, item.code, region));
}

/** A catalog item as the screen shows it, with its list membership in the institution's region. */
export function hitOf(item: CatalogItem, l: Listing): CatalogHit {
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

/**
 * The live split on screen, from the sale pipeline's priced sale (core/sale): each line with its
 * catalog facts, rate, warnings and supervision findings, the cap before and after.
 */
/** Days counted from the catalog's usual daily dose (no days typed): said, so the pharmacist can correct them. */
function usualDoseNote(priced: PricedSale, lineId: string): string[] {
  const s = priced.supervised.find((l) => l.id === lineId);
  if (!s || s.daysFrom !== 'usual-dose') return [];
  const item = priced.lines.find((l) => l.id === lineId)?.item;
  return [`未填天数，按常用日剂量（每日${item?.usual_daily_dose ?? ''}${item?.min_unit ?? '片'}）计${s.days}天用药量`];
}

export function quoteView(priced: PricedSale): Omit<QuoteOutput, 'payableWith'> {
  const { result, ctx } = priced;
  const inst = ctx.institution;
  const explained = explainQuote(priced.request, result, priced.version);
  const items: CatalogHit[] = priced.lines.map((l) => ({ ...hitOf(l.item, l.listing), price: unitPrice(l.price), paymentStandard: l.paymentStandard }));
  return {
    patient: toPatientView(ctx.patient, inst),
    date: priced.date,
    eligible: result.eligible,
    reasons: result.reasons,
    total: result.total,
    fund: result.fund,
    patientPays: result.patient,
    cap: { limit: result.cap.limit, before: result.cap.remainingBefore, after: result.cap.remainingAfter, source: ctx.poolSource, figureZh: null },
    lines: result.lines.map((r, i) => {
      const item = items[i]!;
      const raw = priced.findings.get(r.id) ?? [];
      const warnings: { code: string; message: string }[] = [];
      if (r.reason) warnings.push({ code: r.reason.code, message: r.reason.message });
      if (!item.listed && !warnings.some((w) => w.code === 'NOT_LISTED')) warnings.push(reason('NOT_LISTED'));
      if (item.restriction) warnings.push({ code: 'RESTRICTION', message: `限制：${item.restriction}` });
      warnings.push(...raw.map((f) => ({ code: f.rule, message: f.overrideId ? `${f.messageZh}（已登记放行）` : f.messageZh })));
      warnings.push(...(priced.dispenseFindings.get(r.id) ?? []));
      return {
        lineId: r.id,
        item,
        quantity: priced.lines[i]!.quantity,
        total: r.total,
        inScope: r.inScope,
        rate: r.rate,
        fund: r.fund,
        patient: r.patient,
        covered: r.covered,
        rateZh: explained[i]!.rateZh,
        explain: [...explained[i]!.notes, ...usualDoseNote(priced, r.id)],
        sourceZh: explained[i]!.sourceZh,
        warnings,
        blocked: priced.blockedLines.has(r.id),
        blockedBy: raw.flatMap((f) => (f.severity === 'block' && !f.overrideId && (f.rule === 'MAX_SUPPLY' || f.rule === 'EARLY_REFILL') ? [f.rule] : [])),
      };
    }),
    supply: priced.rules ? { maxDaysPerPrescription: priced.rules.maxDaysPerPrescription, source: plainSource(priced.rules.source) } : null,
    blocked: priced.blockedLines.size > 0,
  };
}
