// The façade's view of local data: who the patient is (identity → roster → ledger → policy) and
// what a sale would split to (catalog → listing → engine). A thin adapter over core/identity,
// core/store (roster, catalog, ledger, settings) and core/policy, shaped for the screen.
import { InputError, problem, type Problem } from '../contract/problems.ts';
import type { QuoteRequest, QuoteResult } from '../contract/quote.ts';
import { conditionList, type RosterRecord } from '../contract/patient.ts';
import type { Institution } from '../contract/institution.ts';
import { identify, type IdentifyResult } from '../identity/index.ts';
import { maskCertno, maskName } from '../identity/mask.ts';
import { Decimal, fen } from '../money/decimal.ts';
import { eligibilityReasons, policyCap, quote, reason, type PolicyBook } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { findPatient } from '../store/roster.ts';
import { getCatalogItem, listing, type CatalogItem } from '../store/catalog.ts';
import { usedThisYear } from '../store/ledger.ts';
import { CONDITION_ZH, INSURANCE_ZH, type CatalogHit, type PatientView, type QuoteOutput } from './contract.ts';

export interface Identified {
  id: IdentifyResult;
  record: RosterRecord | null;
}

/** Reads what was scanned or typed and finds the patient in the local roster. */
export function identifyPatient(db: DB, input: string, today: string): Identified {
  const id = identify(input, { today });
  if (!id.valid) return { id, record: null };
  let record: RosterRecord | null = null;
  if (id.kind === 'id-card') record = findPatient(db, { certno: id.normalized });
  else if (id.kind === 'social-security-card') {
    record = (id.card?.cardNo ? findPatient(db, { cardNo: id.card.cardNo }) : null) ?? (id.card?.certno ? findPatient(db, { certno: id.card.certno }) : null);
  } else if (id.kind === 'ec-voucher') record = findPatient(db, { ecToken: id.normalized });
  return { id, record };
}

export function ageOn(birth: string | null, date: string): number | null {
  if (!birth || !/^\d{4}-\d{2}-\d{2}$/.test(birth)) return null;
  let age = Number(date.slice(0, 4)) - Number(birth.slice(0, 4));
  if (date.slice(5) < birth.slice(5)) age -= 1;
  return age >= 0 ? age : null;
}

export const GENDER_ZH: Record<string, string> = { '1': '男', '2': '女', '9': '未说明' };

/** The engine's patient facts from a roster record. */
export function patientFacts(r: RosterRecord): QuoteRequest['patient'] {
  return {
    insurance: r.insutype === '310' ? 'employee' : 'resident',
    conditions: conditionList(r.conditions),
    managementClass: r.management_class,
    otherChronicDiseases: r.other_chronic_diseases ?? 0,
    chronicDiseaseSince: r.chronic_disease_since,
    designatedInstitution: r.designated_institution,
  };
}

function stoppedReason(r: RosterRecord, date: string) {
  if (r.status !== 'stopped' || (r.stopped_date && r.stopped_date > date)) return null;
  return { code: 'PATIENT_STOPPED', message: `两病待遇已于 ${r.stopped_date ?? '此前'} 停止${r.stopped_reason ? `（${r.stopped_reason}）` : ''}` };
}

/** The patient panel: flags, policy in force, eligibility in plain Chinese, the annual cap. */
export function patientView(db: DB, book: PolicyBook, inst: Institution, r: RosterRecord, date: string): PatientView {
  const facts = patientFacts(r);
  const { policy, version } = book.resolve(inst.policy, date);
  const probe = { policy: inst.policy, date, institution: { type: inst.type, level: inst.level, code: inst.code }, patient: facts, usedThisYear: '0.00', lines: [] } as unknown as QuoteRequest;
  const reasons: { code: string; message: string }[] = eligibilityReasons(version, probe).map((c) => reason(c));
  const stopped = stoppedReason(r, date);
  if (stopped) reasons.unshift(stopped);
  const used = usedThisYear(db, r.psn_no, date);
  let limit: Decimal | null = null;
  if (inst.annualCap != null) limit = new Decimal(inst.annualCap);
  else {
    try {
      limit = policyCap(version, facts)?.amount ?? null;
    } catch {
      limit = null;
    }
  }
  const usedD = new Decimal(used);
  return {
    psnNo: r.psn_no,
    nameMasked: maskName(r.name),
    certnoMasked: maskCertno(r.certno),
    gender: GENDER_ZH[r.gender ?? '9'] ?? '',
    age: ageOn(r.birth_date, date),
    insurance: facts.insurance,
    insuranceZh: INSURANCE_ZH[facts.insurance],
    conditions: facts.conditions,
    conditionsZh: facts.conditions.map((c) => CONDITION_ZH[c]).join('、') || '无',
    managementClass: r.management_class,
    designatedInstitution: r.designated_institution,
    designatedHere: r.designated_institution ? r.designated_institution === inst.code : null,
    status: r.status === 'stopped' && stopped ? '已停止' : 'active',
    policy: { id: policy.id, name: policy.name, version: version.effectiveFrom, document: version.document },
    eligible: reasons.length === 0,
    reasons,
    cap: limit ? { limit: fen(limit), used: fen(usedD), left: fen(limit.greaterThan(usedD) ? limit.minus(usedD) : new Decimal(0)) } : null,
  };
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
    price: new Decimal(price).toFixed(2),
    paymentStandard: l.paymentStandard ?? item.payment_standard,
    listed: l.listed,
    vbp: item.vbp,
    grade: item.drug_class,
    restriction: item.restriction,
  };
}

export interface Priced {
  output: QuoteOutput;
  request: QuoteRequest;
  result: QuoteResult;
  record: RosterRecord;
  identified: IdentifyResult;
  items: CatalogHit[];
}

export function notFound(id: IdentifyResult): InputError {
  if (!id.valid) {
    const first = id.problems[0];
    return new InputError('PATIENT_UNREADABLE', first?.message ?? 'the patient code could not be read', first?.messageZh ?? '无法识别患者证件', id.problems.map((p) => ({ ...p, path: `patient${p.path ? '.' + p.path : ''}` })));
  }
  if (id.kind === 'ec-voucher') {
    return new InputError('PATIENT_NEEDS_NETWORK', 'this 医保码 is not in the local roster; it needs the platform to resolve, or use the ID card', '该医保码不在本地名单中，需联网解析；请改用身份证或社保卡', [
      problem('patient', 'PATIENT_NEEDS_NETWORK', 'e-voucher token not in the local roster', '医保码需联网解析，请改用身份证或社保卡'),
    ]);
  }
  return new InputError('PATIENT_NOT_FOUND', `no patient ${id.masked} in the local two-disease roster`, `本地两病名单中没有该患者（${id.masked}）`, [
    problem('patient', 'PATIENT_NOT_FOUND', `no patient ${id.masked} in the local roster`, `本地两病名单中没有该患者（${id.masked}）`),
  ]);
}

/** Builds the engine request from the database and quotes it: the live split on screen. */
export function priceSale(db: DB, book: PolicyBook, inst: Institution, patientInput: string, date: string, lines: { code: string; quantity: string }[]): Priced {
  const { id, record } = identifyPatient(db, patientInput, date);
  if (!record) throw notFound(id);
  const problems: Problem[] = [];
  const items: CatalogHit[] = [];
  const catalog: CatalogItem[] = [];
  lines.forEach((l, i) => {
    const item = getCatalogItem(db, l.code);
    if (!item) {
      problems.push(problem(`lines.${i}.code`, 'UNKNOWN_CODE', `no catalog item with code, own code or barcode ${JSON.stringify(l.code)}`, `目录中没有编码为“${l.code}”的药品`));
      return;
    }
    if (!item.retail_price && !item.vbp_price) {
      problems.push(problem(`lines.${i}.code`, 'NO_PRICE', `catalog item ${item.code} has no price`, `“${item.generic_name}”未设置价格`));
      return;
    }
    catalog.push(item);
    items.push(catalogHit(db, item, inst.region));
  });
  if (problems.length > 0) throw new InputError('UNKNOWN_ITEMS', problems.map((p) => p.message).join('; '), problems.map((p) => p.messageZh).join('；'), problems);
  const view = patientView(db, book, inst, record, date);
  const request: QuoteRequest = {
    policy: inst.policy,
    date,
    institution: { type: inst.type, level: inst.level, code: inst.code },
    patient: patientFacts(record),
    usedThisYear: usedThisYear(db, record.psn_no, date),
    annualCap: inst.annualCap ?? null,
    lines: items.map((it, i) => ({
      id: `L${i + 1}`,
      kind: 'drug' as const,
      listed: it.listed,
      vbp: it.vbp,
      price: it.price,
      paymentStandard: it.paymentStandard,
      quantity: lines[i]!.quantity,
    })),
  };
  const result = quote(book, request);
  const stopped = stoppedReason(record, date);
  const eligible = result.eligible && !stopped;
  const reasons = stopped ? [stopped, ...result.reasons] : result.reasons;
  const output: QuoteOutput = {
    patient: view,
    date,
    eligible,
    reasons,
    total: result.total,
    fund: eligible ? result.fund : '0.00',
    patientPays: eligible ? result.patient : result.total,
    cap: { limit: result.cap.limit, before: result.cap.remainingBefore, after: result.cap.remainingAfter },
    lines: result.lines.map((r, i) => {
      const warnings: { code: string; message: string }[] = [];
      if (r.reason) warnings.push({ code: r.reason.code, message: r.reason.message });
      if (!items[i]!.listed && !warnings.some((w) => w.code === 'NOT_LISTED')) warnings.push(reason('NOT_LISTED'));
      if (items[i]!.restriction) warnings.push({ code: 'RESTRICTION', message: `限制：${items[i]!.restriction}` });
      return {
        lineId: r.id,
        item: items[i]!,
        quantity: lines[i]!.quantity,
        total: r.total,
        inScope: r.inScope,
        rate: r.rate,
        fund: eligible ? r.fund : '0.00',
        patient: eligible ? r.patient : r.total,
        covered: eligible && r.covered,
        warnings,
      };
    }),
  };
  void catalog;
  return { output, request, result, record, identified: id, items };
}
