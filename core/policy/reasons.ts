// Stable reason codes the engine and the policy files use, with the words the counter shows.
// A policy file may only name codes listed here (checked when it is loaded).
export const REASONS = {
  INSURANCE_NOT_COVERED: { zh: '该参保类型不在本地区两病门诊用药保障范围内', en: 'this insurance type is not covered by the region\'s two-disease scheme' },
  NO_QUALIFYING_CONDITION: { zh: '未标识高血压或糖尿病，不享受两病待遇', en: 'the patient is not flagged for hypertension or diabetes' },
  CHRONIC_DISEASE_SUPERSEDES: { zh: '已享受门诊慢特病待遇，两病待遇自该日起停止', en: 'chronic-disease outpatient benefits supersede the two-disease scheme from their start date' },
  INSTITUTION_TYPE_NOT_COVERED: { zh: '本类机构（定点药店）不在两病用药保障机构范围内，按原政策执行', en: 'this kind of institution is outside the scheme; the old rules apply' },
  INSTITUTION_LEVEL_NOT_COVERED: { zh: '本机构等级不在两病用药保障机构范围内，按原政策执行', en: 'institutions of this level are outside the scheme; the old rules apply' },
  NOT_DESIGNATED_INSTITUTION: { zh: '非患者选定的两病定点医疗机构，按原政策执行', en: 'not the institution the patient chose for the scheme; the old rules apply' },
  NO_DESIGNATED_INSTITUTION: { zh: '患者尚未选定两病定点医疗机构', en: 'the patient has not chosen a designated institution' },
  TREATS_UNFILED_HYPERTENSION: { zh: '该药为降压药，患者未备案高血压，本项不予两病报销；已确诊高血压的，可办理新增病种备案', en: 'an antihypertensive for a patient not filed for hypertension; file the new condition to have it covered' },
  TREATS_UNFILED_DIABETES: { zh: '该药为降糖药，患者未备案糖尿病，本项不予两病报销；已确诊糖尿病的，可办理新增病种备案', en: 'an antidiabetic for a patient not filed for diabetes; file the new condition to have it covered' },
  NOT_LISTED: { zh: '不在本地区两病用药目录内', en: 'not on the region\'s two-disease list' },
  NOT_VBP: { zh: '非集采中选药品，不在两病保障品种内', en: 'only collectively procured (VBP) drugs are covered' },
  EXAM_NOT_COVERED: { zh: '检查检验项目不在保障范围内', en: 'examinations and tests are not covered for this patient' },
  CLASS_NOT_COVERED_AT_LEVEL: { zh: '一类管理对象在三级医疗机构不予报销', en: 'management class 1 is not covered at level-3 institutions' },
  CAP_PARTLY_USED: { zh: '达到年度支付限额，本项仅部分报销', en: 'the annual cap was reached on this line; it is paid in part' },
  CAP_EXHAUSTED: { zh: '年度支付限额已用完', en: 'the annual cap is used up' },
  PATIENT_STOPPED: { zh: '两病待遇已停止（名单状态为停止）', en: 'the patient\'s two-disease flag was stopped on or before this date' },
  NOT_YET_FLAGGED: { zh: '该日期早于两病标识日期，尚未享受两病待遇', en: 'the patient was flagged for the scheme only after this date' },
} as const;

export type ReasonCode = keyof typeof REASONS;

export function isReasonCode(code: string): code is ReasonCode {
  return Object.prototype.hasOwnProperty.call(REASONS, code);
}

export function reason(code: ReasonCode): { code: ReasonCode; message: string } {
  return { code, message: REASONS[code].zh };
}
