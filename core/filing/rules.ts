// Who may file (备案) a two-disease patient at the counter, by region.
// seed 000 §二.(一).2: 由全市公立一级、二级定点医疗机构负责 … 一站式办理 (Lincang)
// seed 001 §二.(一)/(二).1: 诊断机构扩大到我市所有医保定点医疗机构 … 即获得门诊用药资格 (Chongqing)
// seed 003 §二.(三).1: 家庭医生所在基层卫生机构 files; 定点医疗机构接诊医生 records changes (Ezhou)
// seed 002 §七.(一)/§三: 定点医疗机构 登记备案; the scheme's institutions are level 2 and below (Kunming)
// seed 004 §二.(二): the bureau 认定; counters of level 1–2 clinics file on its behalf (Dazhou, our reading)
export interface FilingRule {
  /** Institution levels that may file a new patient. */
  newLevels: (1 | 2 | 3)[];
  /** Levels that may record a change or a stop. */
  changeLevels: (1 | 2 | 3)[];
  /** Only public institutions (公立) may file. */
  publicOnly: boolean;
  /** Management class (一类/二类) must be given (Chongqing's classes, seed 001 §一). */
  requiresClass: boolean;
  /** The filing institution becomes the patient's designated one when they have none (seed 002 §五.(一)). */
  designatesHere?: boolean;
  source: string;
}

export const FILING_RULES: Record<string, FilingRule> = {
  lincang: { newLevels: [1, 2], changeLevels: [1, 2], publicOnly: true, requiresClass: false, source: 'seed 000 §二.(一).2' },
  chongqing: { newLevels: [1, 2, 3], changeLevels: [1, 2, 3], publicOnly: false, requiresClass: true, source: 'seed 001 §二.(一), §二.(二).1' },
  ezhou: { newLevels: [1, 2], changeLevels: [1, 2, 3], publicOnly: false, requiresClass: false, source: 'seed 003 §二.(三).1' },
  kunming: { newLevels: [1, 2], changeLevels: [1, 2], publicOnly: false, requiresClass: false, designatesHere: true, source: 'seed 002 §七.(一), §三, §五.(一)' },
  dazhou: { newLevels: [1, 2], changeLevels: [1, 2], publicOnly: false, requiresClass: false, source: 'seed 004 §二.(二)' },
};

export const DEFAULT_FILING_RULE: FilingRule = { newLevels: [1, 2], changeLevels: [1, 2], publicOnly: true, requiresClass: false, source: 'seed 000 §二.(一).2 (default)' };

export function filingRule(policy: string): FilingRule {
  return FILING_RULES[policy] ?? DEFAULT_FILING_RULE;
}

/** The platform's chronic-disease codes (1309; platform-interface.md §3). */
export const DISEASE_CODES = {
  hypertension: { code: 'M03900', name: '高血压病', icd: 'I10', icdName: '原发性高血压' },
  diabetes: { code: 'M01600', name: '糖尿病', icd: 'E11.9', icdName: '2型糖尿病' },
} as const;

/** Registration transactions: national 2503/2504, or the local 2562/2563 some provinces use. */
export const FILING_CODES = {
  national: { register: '2503', revoke: '2504' },
  local: { register: '2562', revoke: '2563' },
} as const;
export type FilingCodeSet = keyof typeof FILING_CODES;
