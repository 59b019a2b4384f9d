// Step 2 of the sale pipeline: price a loaded sale. Pure (no database): builds the engine's
// request from the context, calls the policy engine through its public function, runs the
// supervision checks on the history the context carries, and prepares what commitSale writes.
import { InputError, Refusal, problem, type Problem } from '../contract/problems.ts';
import { AMOUNT_LIMITS, tooLargeMessage } from '../contract/fields.ts';
import type { QuoteRequest, QuoteResult } from '../contract/quote.ts';
import type { Prescription } from '../contract/prescription.ts';
import { Decimal } from '../money/decimal.ts';
import { quote, REASONS, type PolicyBook } from '../policy/index.ts';
import type { PolicyVersion } from '../policy/schema.ts';
import { patientFacts, rosterBlocks } from '../patient/index.ts';
import { checkSupervision, type Finding, type SupervisionResult } from '../supervision/check.ts';
import { supplyRules } from '../supervision/index.ts';
import { packageQuantityProblem, packageSizeOf, supplyDaysOf } from '../supervision/supply.ts';
import type { CatalogItem, Listing } from '../store/catalog.ts';
import type { InstitutionForSettlement, PatientForSettlement, SettleLine } from '../settlement/contract.ts';
import type { SaleContext } from './context.ts';
import type { DispensedLineFacts } from '../contract/dispensed.ts';
import { assertTraceCodesComplete, checkDispensed, type DispenseFinding } from './dispensed.ts';
import { treatsOf } from '../contract/catalog.ts';

const treatsField = (item: CatalogItem): { treats?: 'hypertension' | 'diabetes' } => {
  const t = treatsOf(item);
  return t ? { treats: t } : {};
};

export interface PricedLine {
  id: string;
  item: CatalogItem;
  listing: Listing;
  /** The unit price charged (the catalog's retail price, or one keyed in). */
  price: string;
  paymentStandard: string | null;
  quantity: string;
}

/** A line with days of supply, as the dispensing history records it after the sale. */
export interface SupervisedLine {
  id: string;
  code: string;
  genericName: string;
  drugGroup: string | null;
  quantity: string;
  days: number;
  /** Typed from the prescription, or counted from the catalog's usual daily dose. */
  daysFrom: 'prescription' | 'usual-dose';
}

/** Everything commitSale writes, whichever caller priced it. */
export interface SaleFacts {
  request: QuoteRequest;
  result: QuoteResult;
  patient: PatientForSettlement;
  institution: InstitutionForSettlement;
  lines: SettleLine[];
  /** What was dispensed (lines with days of supply) and the overrides that unblocked it. */
  dispensing: { psnNo: string; institution: string; lines: { id: string; code: string; genericName: string; drugGroup: string | null; days: number }[]; overrideIds: string[] } | null;
  prescription: Prescription | null;
  /** Per line: what was dispensed (trace codes, batch, expiry, 用法用量) and its days. */
  dispensed?: (DispensedLineFacts & { days: number | null })[];
}

export interface PricedSale {
  ctx: SaleContext;
  date: string;
  lines: PricedLine[];
  request: QuoteRequest;
  result: QuoteResult;
  /** The policy version the sale was priced under (its rules explain each line: core/policy/explain). */
  version: PolicyVersion;
  supervised: SupervisedLine[];
  verdict: SupervisionResult | null;
  rules: ReturnType<typeof supplyRules> | null;
  /** Each line's supervision findings (for the screen and the override dialog). */
  findings: Map<string, Finding[]>;
  blockedLines: Set<string>;
  overrideIds: string[];
  /** Near-expiry warnings per line id. */
  dispenseFindings: Map<string, DispenseFinding[]>;
  facts: SaleFacts;
}

/** The payment standard that applies: the list's own, else a VBP drug's winning price (seed 000 §二.(二).4), else the catalog's. */
export function paymentStandardFor(item: CatalogItem, listStandard: string | null): string | null {
  return listStandard ?? (item.vbp ? item.vbp_price : null) ?? item.payment_standard;
}

/** Whether anything in the policy version depends on the institution's level (eligibility or a line rule). */
function levelMatters(book: PolicyBook, policy: string, date: string): boolean {
  const { version } = book.resolve(policy, date);
  const all = [1, 2, 3].every((l) => (version.eligibility.levels as number[]).includes(l));
  return !all || version.lineRules.some((r) => r.when.levels !== undefined);
}

/**
 * The level the sale is paid at. A pharmacy dispenses on someone else's prescription: where the
 * policy depends on the level it applies the prescriber's (seed 001 §三.(一).1, §四), and a
 * pharmacy sale without the prescription's level is refused, naming the field.
 */
function pricingLevel(ctx: SaleContext, book: PolicyBook): 1 | 2 | 3 {
  const inst = ctx.institution;
  if (inst.type !== 'pharmacy') return inst.level;
  const rx = ctx.input.prescription;
  if (rx) return rx.institution.level;
  if (!levelMatters(book, inst.policy, ctx.date)) return inst.level;
  const en = 'a pharmacy sale under this policy is paid at the prescriber\'s level: give prescription.institution.level (and the rest of the prescription)';
  const zh = '药店按处方医疗机构的级别结算：请填写处方信息（处方医疗机构级别 prescription.institution.level）';
  throw new InputError('PRESCRIPTION_REQUIRED', en, zh, [problem('prescription.institution.level', 'PRESCRIPTION_REQUIRED', en, zh)]);
}

export function price(ctx: SaleContext, book: PolicyBook): PricedSale {
  const { institution: inst, record, date, input } = ctx;
  const problems: Problem[] = [];
  const lines: PricedLine[] = [];
  input.lines.forEach((line, i) => {
    const item = ctx.items[i] ?? null;
    const code = line.code.trim();
    if (!item) {
      problems.push(
        code === ''
          ? problem(`lines.${i}.code`, 'REQUIRED', 'each line needs a drug code (national code, own code or barcode)', '请填写药品编码')
          : problem(`lines.${i}.code`, 'UNKNOWN_DRUG', `no catalog item has national code, own code or barcode ${JSON.stringify(code)}`, `药品目录中没有编码为 ${code} 的药品`),
      );
      return;
    }
    const p = line.price ?? item.retail_price;
    if (p === null || p === undefined) {
      problems.push(problem(`lines.${i}.price`, 'NO_PRICE', `item ${item.code} has no retail price in the catalog; key one in`, `药品 ${item.generic_name} 未设置零售价，请输入单价`));
      return;
    }
    const whole = packageQuantityProblem(line.quantity, { name: item.generic_name, splitPack: item.split_pack, packageSize: packageSizeOf(item.package_size, item.spec), packageUnit: item.package_unit, minUnit: item.min_unit });
    if (whole) {
      problems.push(problem(`lines.${i}.quantity`, 'WHOLE_PACKAGES_ONLY', whole.message, whole.messageZh));
      return;
    }
    const listing = ctx.listings.get(item.code) ?? { listed: false, list: null, paymentStandard: null };
    lines.push({ id: line.id ?? `L${i + 1}`, item, listing, price: p, paymentStandard: paymentStandardFor(item, listing.paymentStandard), quantity: line.quantity });
  });
  if (problems.length > 0) {
    throw new InputError('INVALID_REQUEST', `The sale is invalid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`, '销售明细有误', problems);
  }
  const byIndex = checkDispensed(input.lines, lines.map((l) => l.item.generic_name), date, ctx.soldTraceCodes);
  const dispenseFindings = new Map([...byIndex].map(([i, f]) => [lines[i]!.id, f] as const));
  // The contract's bound on a sale's total (the catalog's prices are bounded when imported).
  const total = lines.reduce((t, l) => t.plus(new Decimal(l.price).times(l.quantity)), new Decimal(0));
  if (total.greaterThan(AMOUNT_LIMITS.saleTotal)) {
    const m = tooLargeMessage('sale total (price × quantity over all lines)', '本单合计金额', AMOUNT_LIMITS.saleTotal, total.toFixed(2));
    throw new InputError('INVALID_REQUEST', m.message, m.zh, [problem('lines', 'too_big', m.message, m.zh)]);
  }
  const { version } = book.resolve(inst.policy, date);
  const request: QuoteRequest = {
    policy: inst.policy,
    date,
    institution: { type: inst.type, level: pricingLevel(ctx, book), code: inst.code },
    patient: patientFacts(record, date, version.eligibility.requiresManagementClass),
    usedThisYear: ctx.usage.used,
    // A site cap only where the policy sets none (it must not override a published table).
    annualCap: version.cap.kind === 'supplied' ? inst.annualCap : null,
    lines: lines.map((l, i) => ({
      id: l.id,
      kind: input.lines[i]!.kind ?? 'drug',
      listed: l.listing.listed,
      vbp: l.item.vbp,
      price: l.price,
      paymentStandard: l.paymentStandard,
      quantity: l.quantity,
      // The condition the drug treats: a drug for a condition not filed is not covered (core/policy/coverage.ts).
      ...treatsField(l.item),
    })),
  };
  const result = quote(book, request);
  const blocks = rosterBlocks(record, date);
  if (blocks.length > 0) {
    // The engine saw no active condition; say why in the roster's own words.
    result.reasons = [...blocks.map((c) => ({ code: c, message: REASONS[c].zh })), ...result.reasons.filter((x) => x.code !== 'NO_QUALIFYING_CONDITION')];
    for (const l of result.lines) if (l.reason?.code === 'NO_QUALIFYING_CONDITION') l.reason = { code: blocks[0]!, message: REASONS[blocks[0]!].zh };
  }

  // Over the region's supply ceiling or a refill too early (core/supervision): lines whose days
  // are typed, or counted from the catalog's usual daily dose when they are not.
  const supervised: SupervisedLine[] = lines.flatMap((l, i) => {
    const d = supplyDaysOf({ quantity: l.quantity, days: input.lines[i]!.days }, { usualDailyDose: l.item.usual_daily_dose, packageSize: packageSizeOf(l.item.package_size, l.item.spec) });
    return d === null ? [] : [{ id: l.id, code: l.item.code, genericName: l.item.generic_name, drugGroup: l.item.drug_group, quantity: l.quantity, days: d.days, daysFrom: d.from }];
  });
  const findings = new Map<string, Finding[]>();
  const blockedLines = new Set<string>();
  const overrideIds = new Set<string>();
  let verdict: SupervisionResult | null = null;
  const rules = supervised.length > 0 ? supplyRules(book, inst.policy, date) : null;
  if (rules && ctx.supervision) {
    verdict = checkSupervision({ psnNo: record.psn_no, date, supply: rules, lines: supervised }, ctx.supervision.history, ctx.supervision.overrides);
    for (const v of verdict.lines) {
      findings.set(v.id, v.findings);
      for (const f of v.findings) if (f.overrideId) overrideIds.add(f.overrideId);
      if (v.blocked) blockedLines.add(v.id);
    }
  }

  // The certificate the platform messages carry: the one read at the counter, else the ID number.
  const cert = ctx.identified.cert;
  const facts: SaleFacts = {
    request,
    result,
    patient: {
      psnNo: record.psn_no,
      certType: (cert?.mdtrtCertType as '01' | '02' | '03' | undefined) ?? '02',
      certNo: cert?.mdtrtCertNo ?? record.certno ?? record.psn_no,
      cardSn: cert?.cardSn ?? null,
      certno: record.certno,
      name: record.name,
      insutype: record.insutype,
      insuplcAdmdvs: record.region && /^\d{6}$/.test(record.region) ? record.region : null,
    },
    institution: { code: inst.code, name: inst.name, type: inst.type, level: inst.level, region: inst.region },
    lines: lines.map((l) => ({ lineId: l.id, code: l.item.code, ownCode: l.item.own_code, name: l.item.generic_name, spec: l.item.spec })),
    dispensing:
      supervised.length > 0 && verdict
        ? { psnNo: record.psn_no, institution: inst.code, lines: verdict.lines.map((v) => ({ id: v.id, code: v.code, genericName: v.genericName, drugGroup: supervised.find((s) => s.id === v.id)!.drugGroup, days: v.days })), overrideIds: [...overrideIds] }
        : null,
    prescription: input.prescription ?? null,
    dispensed: input.lines.map((l) => ({
      ...(l.traceCodes?.length ? { traceCodes: l.traceCodes } : {}),
      ...(l.batch ? { batch: l.batch } : {}),
      ...(l.expiry ? { expiry: l.expiry } : {}),
      ...(l.manufactureDate ? { manufactureDate: l.manufactureDate } : {}),
      ...(l.usage ? { usage: l.usage } : {}),
      days: l.days ?? null,
    })),
  };
  return { ctx, date, lines, request, result, version, supervised, verdict, rules, findings, blockedLines, overrideIds: [...overrideIds], dispenseFindings, facts };
}

function refusal(code: string, message: string, messageZh: string, path: string): Refusal {
  return new Refusal(code, message, messageZh, [{ path, code, message, messageZh }]);
}

/**
 * The counter settles a sale under the scheme only when the patient is eligible and no line is
 * blocked by supervision (a blocked line needs an authorised override first).
 */
export function assertSettleable(priced: PricedSale): void {
  const r = priced.result;
  const rx = priced.ctx.input.prescription;
  if (rx?.continuous) {
    // seed 003 附件3: a 慢性病连续处方 names its doctor and carries the patient's 知情同意.
    const missing = [
      ...(rx.doctor.name.trim() ? [] : [{ path: 'prescription.doctor.name', en: 'the doctor', zh: '处方医生' }]),
      ...(rx.consent === true ? [] : [{ path: 'prescription.consent', en: "the patient's consent", zh: '患者知情同意' }]),
    ];
    if (missing.length > 0) {
      const en = `a continuous prescription needs ${missing.map((m) => m.en).join(' and ')} before it settles`;
      const zh = `开具慢性病连续处方前请填写：${missing.map((m) => m.zh).join('、')}`;
      throw new Refusal('PRESCRIPTION_INCOMPLETE', en, zh, missing.map((m) => ({ path: m.path, code: 'PRESCRIPTION_INCOMPLETE', message: `${m.en} is missing`, messageZh: `未填写${m.zh}` })));
    }
  }
  if (priced.ctx.traceCodesRequired) assertTraceCodesComplete(priced.ctx.input.lines, priced.lines.map((l) => l.item.generic_name));
  if (!r.eligible) {
    const why = r.reasons.map((x) => x.message).join('；');
    throw refusal('NOT_ELIGIBLE', `this sale is not covered by the two-disease scheme: ${r.reasons.map((x) => x.code).join(', ')}`, `本次不享受两病待遇：${why}。请按普通门诊或自费结算。`, 'patient');
  }
  if (priced.blockedLines.size > 0) {
    const why = priced.lines
      .filter((l) => priced.blockedLines.has(l.id))
      .map((l) => `${l.item.generic_name}：${(priced.findings.get(l.id) ?? []).filter((f) => f.severity === 'block' && !f.overrideId).map((f) => f.messageZh).join('；')}`);
    throw refusal('SUPPLY_BLOCKED', "a line is over the region's supply rules (supply ceiling or early refill); change the quantity or days, or record an authorised override", `用药监管：${why.join('；')}`, 'lines');
  }
}

