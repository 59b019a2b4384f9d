// An out-of-area (异地) patient where the platform settles 异地 directly (seed 001 §四: 在异地直接联网
//结算的医保定点医疗机构就医的，按异地就医规定执行): the local two-disease rules are not applied
// (no local cap, rate or list decides anything, and nothing counts in a local pool), the sale is
// written to the journal like any other and goes through the outbox, whose envelope carries the
// insured's region (insuplc_admdvs) beside this institution's (mdtrtarea_admvs); the platform's
// split comes back with the reply and any difference from the local figure is a variance.
// Where the platform does not settle 异地 directly, core/cash records the 垫付 claim instead.
import { fen, Decimal, roundFen, unitPrice } from '../money/decimal.ts';
import { InputError, Refusal, problem, type Problem } from '../contract/problems.ts';
import type { Institution } from '../contract/institution.ts';
import type { QuoteRequest, QuoteResult } from '../contract/quote.ts';
import { parseIdNumber } from '../identity/idnumber.ts';
import type { PolicyBook } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { catalogItemsByCodes, listingsFor } from '../store/catalog.ts';
import { settlementForRequest } from '../store/journal.ts';
import { loadPlatformConfig } from '../platform/config.ts';
import { commitSale } from './commit.ts';
import { paymentStandardFor, type SaleFacts } from './price.ts';

/** Why no line is paid locally: plain Chinese, as the receipt and the journal show it. */
export const OUT_OF_AREA_DIRECT_REASON = { code: 'OUT_OF_AREA_DIRECT', message: '异地就医直接结算：不适用本地两病政策，由医保平台按参保地政策结算' } as const;

/** Whether the platform settles out-of-area patients directly in the institution's region (resources/platform/provinces.json). */
export function outOfAreaSettledDirectly(policy: string): boolean {
  try {
    return loadPlatformConfig().region(policy).outOfAreaDirect;
  } catch {
    return false; // a region without platform settings has no direct settlement
  }
}

export interface OutOfAreaSale {
  requestId: string;
  requestHash: string;
  date: string;
  person: { name: string; psnNo: string | null; certno: string | null; insuredRegion: string | null; insurance: 'resident' | 'employee' | null; conditions: ('hypertension' | 'diabetes')[] };
  lines: { code: string; quantity: string }[];
  operator: { id: string; name: string; role: string | null };
  now: Date;
}

function refuse(problems: Problem[]): never {
  throw new InputError('INVALID_REQUEST', `The sale is invalid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`, problems.map((p) => p.messageZh).join('；'), problems);
}

/** Builds the journal facts of an out-of-area sale: the catalog's prices, nothing paid by a local rule. */
export function outOfAreaFacts(db: DB, book: PolicyBook, inst: Institution, s: OutOfAreaSale): SaleFacts {
  const problems: Problem[] = [];
  const p = s.person;
  // The platform settles on the insuring region's 人员编号, place of insurance, insurance type and filed disease.
  if (!p.psnNo) problems.push(problem('person.psnNo', 'REQUIRED', 'a direct out-of-area settlement needs the 人员编号 from the patient\'s 医保码 or card', '异地就医直接结算须填写人员编号（读医保码或社保卡）'));
  if (!p.certno) problems.push(problem('person.certno', 'REQUIRED', 'a direct out-of-area settlement needs the ID number', '异地就医直接结算须填写身份证号'));
  if (!p.insuredRegion) problems.push(problem('person.insuredRegion', 'REQUIRED', 'a direct out-of-area settlement needs the place of insurance', '异地就医直接结算须填写参保地区划'));
  if (!p.insurance) problems.push(problem('person.insurance', 'REQUIRED', 'a direct out-of-area settlement needs the insurance type', '异地就医直接结算须选择险种'));
  if (p.conditions.length === 0) problems.push(problem('person.conditions', 'REQUIRED', 'a direct out-of-area settlement needs the condition filed at the place of insurance', '异地就医直接结算须选择参保地备案的病种'));
  let certno = p.certno;
  if (certno) {
    const id = parseIdNumber(certno, s.date, 'person.certno');
    if (!id.valid) problems.push(...id.problems);
    else certno = id.normalized;
  }
  const byCode = catalogItemsByCodes(db, s.lines.map((l) => l.code));
  const items = s.lines.map((l, i) => {
    const item = byCode.get(l.code.trim()) ?? null;
    if (!item) problems.push(problem(`lines.${i}.code`, 'UNKNOWN_DRUG', `no catalog item has code ${JSON.stringify(l.code)}`, `药品目录中没有编码为 ${l.code} 的药品`));
    else if (item.retail_price === null) problems.push(problem(`lines.${i}.code`, 'NO_PRICE', `item ${item.code} has no retail price`, `药品 ${item.generic_name} 未设置零售价`));
    return item;
  });
  if (problems.length > 0) refuse(problems);
  const listings = listingsFor(db, items.map((i) => i!.code), inst.region);
  const { policy, version } = book.resolve(inst.policy, s.date);
  const request: QuoteRequest = {
    policy: inst.policy,
    date: s.date,
    institution: { type: inst.type, level: inst.level, code: inst.code },
    patient: { insurance: p.insurance!, conditions: [...new Set(p.conditions)], managementClass: null, otherChronicDiseases: 0, chronicDiseaseSince: null, designatedInstitution: null },
    usedThisYear: '0.00',
    annualCap: null,
    lines: items.map((item, i) => ({
      id: `L${i + 1}`,
      kind: 'drug' as const,
      listed: listings.get(item!.code)?.listed ?? false,
      vbp: item!.vbp,
      price: unitPrice(item!.retail_price!),
      paymentStandard: paymentStandardFor(item!, listings.get(item!.code)?.paymentStandard ?? null),
      quantity: s.lines[i]!.quantity,
    })),
  };
  const lineResults = request.lines.map((l) => {
    const total = fen(roundFen(new Decimal(l.price).times(l.quantity)));
    // The whole line goes to the platform for the insuring region to judge (no local list or payment standard cuts it).
    return { id: l.id, total, inScope: total, rate: '0', fund: '0.00', patient: total, covered: false, reason: { ...OUT_OF_AREA_DIRECT_REASON }, source: null };
  });
  const total = fen(lineResults.reduce((a, l) => a.plus(l.total), new Decimal(0)));
  const result: QuoteResult = {
    eligible: true,
    reasons: [{ ...OUT_OF_AREA_DIRECT_REASON }],
    policy: { id: policy.id, name: policy.name, version: version.effectiveFrom, document: version.document },
    total,
    inScope: total,
    fund: '0.00',
    patient: total,
    cap: { limit: '0.00', remainingBefore: '0.00', remainingAfter: '0.00', source: 'policy' },
    lines: lineResults,
  };
  return {
    request,
    result,
    patient: { psnNo: p.psnNo!, certType: '02', certNo: certno!, cardSn: null, certno, name: p.name, insutype: p.insurance === 'employee' ? '310' : '390', insuplcAdmdvs: p.insuredRegion, outOfArea: true },
    institution: { code: inst.code, name: inst.name, type: inst.type, level: inst.level, region: inst.region },
    lines: items.map((item, i) => ({ lineId: `L${i + 1}`, code: item!.code, ownCode: item!.own_code, name: item!.generic_name, spec: item!.spec })),
    dispensing: null,
    prescription: null,
  };
}

/** Settles an out-of-area sale through the journal and the outbox; the same requestId with the same content returns the first. */
export function settleOutOfAreaDirect(db: DB, book: PolicyBook, inst: Institution, s: OutOfAreaSale): { id: string; replayed: boolean } {
  const already = settlementForRequest(db, s.requestId);
  if (already) {
    if (already.requestHash !== null && already.requestHash !== s.requestHash) {
      const en = `requestId ${s.requestId} was already used for a different sale; use a new requestId for a new sale`;
      const zh = `请求编号 ${s.requestId} 已用于另一笔结算，新的结算请使用新的请求编号`;
      throw new Refusal('IDEMPOTENCY_CONFLICT', en, zh, [problem('requestId', 'IDEMPOTENCY_CONFLICT', en, zh)]);
    }
    return { id: already.id, replayed: true };
  }
  const facts = outOfAreaFacts(db, book, inst, s);
  return { id: commitSale(db, facts, { operator: s.operator, requestId: s.requestId, requestHash: s.requestHash, now: s.now }), replayed: false };
}
