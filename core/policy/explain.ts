// Why a line's amount is what it is, in the words a pharmacist can say to the patient: the rate
// and what decided it (集采, the institution's level, the management class), the part over the
// payment standard the patient pays, and the annual cap left after the line. Pure: from the
// engine's request and answer and the policy version they were computed under.
import { Decimal } from '../money/decimal.ts';
import type { QuoteResult } from '../contract/quote.ts';
import type { PolicyVersion } from './schema.ts';

/**
 * The published documents the policy files cite by their seed number, by the name a bureau
 * knows them (the 文号, or the title where the document has none).
 */
export const POLICY_DOCUMENTS: Readonly<Record<string, string>> = {
  '000': '临医保联发〔2024〕27号',
  '001': '重庆市《关于做好城乡居民高血压糖尿病门诊用药保障和健康管理的通知》',
  '002': '昆医保通〔2023〕60号',
  '003': '鄂州医保发〔2022〕76号',
  '004': '达市医保发〔2022〕10号',
};

/** "二.(二).3" → "二、（二）3"; "六.(二)" → "六、（二）"; "附件3" stays. */
function sectionZh(section: string): string {
  const parts = section.split('.').filter((p) => p !== '');
  return parts
    .map((p, i) => {
      const q = p.replace(/\(/g, '（').replace(/\)/g, '）');
      return i === 0 && /^[一二三四五六七八九十]+$/.test(q) ? `${q}、` : q;
    })
    .join('');
}

/**
 * A policy file's source note as a person reads it: "seed 000 §二.(二).3: 集采…90%" becomes
 * "临医保联发〔2024〕27号 二、（二）3：集采…90%". Text without a seed reference is returned as is.
 */
export function plainSource(text: string): string {
  return text
    .replace(/seed\s*(\d{3})\s*(?:§\s*([^\s:：,，;；）)]+(?:\)[^\s:：,，;；]*)?))?/gi, (_all, code: string, section: string | undefined) => {
      const doc = POLICY_DOCUMENTS[code] ?? '本地区政策文件';
      return section ? `${doc} ${sectionZh(section)}` : doc;
    })
    .replace(/§\s*/g, '')
    .replace(/\s*:\s*/g, '：')
    .replace(/\s+and\s+/g, '、')
    .replace(/、(：|\s|$)/g, '$1')
    .trim();
}

/**
 * A version's document as a receipt names it: the title or 文号 without the policy file's trailing
 * remark ("（文中未载日期，生效日期为本产品假定…）" is for the site's administrator, not the patient).
 */
export function documentTitle(document: string): string {
  return plainSource(document.replace(/（[^（）]*）\s*$/, '').trim() || document);
}

const LEVEL_ZH = { 1: '一级及以下医疗机构', 2: '二级医疗机构', 3: '三级医疗机构' } as const;
const CLASS_ZH = { 1: '一类管理', 2: '二类管理' } as const;

export interface LineExplanation {
  lineId: string;
  /** "报销 90%" or "不予报销". */
  rateZh: string;
  /** What decided the rate and the amount, each a short phrase. */
  notes: string[];
  /** Where the rate comes from, with the document's name (null when the policy names none). */
  sourceZh: string | null;
  /** The part over the payment standard, paid by the patient ("0.00" when none). */
  overStandard: string;
  /** The annual cap left after this line. */
  capLeftAfter: string;
}

function percent(rate: string): string {
  return new Decimal(rate).times(100).toDecimalPlaces(2).toString();
}

/** Which facts the version's line rules look at (only those are named as a reason). */
function dimensions(version: PolicyVersion | null): { level: boolean; managementClass: boolean } {
  const rules = version?.lineRules ?? [];
  return {
    level: rules.some((r) => r.when.levels !== undefined),
    managementClass: rules.some((r) => r.when.managementClass !== undefined),
  };
}

/** The facts of the engine's request an explanation names (a stored request has them too). */
export interface ExplainRequest {
  institution: { level: 1 | 2 | 3 };
  patient: { managementClass?: 1 | 2 | null };
  lines: readonly { id: string; vbp?: boolean }[];
}

/** Every line of a quote, explained (same order as result.lines). */
export function explainQuote(request: ExplainRequest, result: QuoteResult, version: PolicyVersion | null): LineExplanation[] {
  const dims = dimensions(version);
  let left = new Decimal(result.cap.remainingBefore);
  return result.lines.map((r, i) => {
    const line = request.lines.find((l) => l.id === r.id) ?? request.lines[i]!;
    const notes: string[] = [];
    const covered = r.covered && new Decimal(r.rate).greaterThan(0);
    if (covered) {
      if (line.vbp) notes.push('集采中选药品');
      if (dims.level) notes.push(LEVEL_ZH[request.institution.level]);
      if (dims.managementClass && request.patient.managementClass != null) notes.push(CLASS_ZH[request.patient.managementClass]);
    }
    const over = new Decimal(r.total).minus(r.inScope);
    const overStandard = over.greaterThan(0) ? over.toFixed(2) : '0.00';
    if (over.greaterThan(0)) notes.push(`超支付标准部分自付 ¥${overStandard}`);
    if (r.reason) notes.push(r.reason.message);
    left = left.minus(r.fund);
    if (left.isNegative()) left = new Decimal(0);
    const capLeftAfter = left.toFixed(2);
    if (covered) notes.push(`年度限额剩余 ¥${capLeftAfter}`);
    return {
      lineId: r.id,
      rateZh: covered ? `报销 ${percent(r.rate)}%` : '不予报销',
      notes,
      sourceZh: r.source ? plainSource(r.source) : null,
      overStandard,
      capLeftAfter,
    };
  });
}
