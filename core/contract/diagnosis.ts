// The management class from the diagnosis (Chongqing, seed 001 §一): class 1 is grade-1
// low-risk hypertension and secondary hypertension; class 2 is grade-1 medium-risk and above
// hypertension, and every diabetic. One pure function, used by the roster row and the filing.
import type { ConditionName } from './filing.ts';

export type HypertensionGrade = 1 | 2 | 3;
export type RiskGroup = 'low' | 'medium' | 'high' | 'very-high';
export type ManagementClass = 1 | 2;

export const RISK_GROUPS = ['low', 'medium', 'high', 'very-high'] as const satisfies readonly RiskGroup[];
export const RISK_GROUP_ZH: Record<RiskGroup, string> = { low: '低危', medium: '中危', high: '高危', 'very-high': '很高危' };
export const GRADE_ZH: Record<HypertensionGrade, string> = { 1: '一级', 2: '二级', 3: '三级' };

/** What the diagnosing doctor recorded beyond the condition names (any part may be unknown). */
export interface DiagnosisDetail {
  conditions: readonly ConditionName[];
  hypertensionGrade?: HypertensionGrade | null;
  riskGroup?: RiskGroup | null;
  secondaryHypertension?: boolean | null;
}

/** The class the diagnosis puts the patient in, or null when it does not say (hypertension without grade and risk). */
export function classFromDiagnosis(d: DiagnosisDetail): ManagementClass | null {
  if (d.conditions.includes('diabetes')) return 2;
  if (!d.conditions.includes('hypertension')) return null;
  const grade = d.hypertensionGrade ?? null;
  const risk = d.riskGroup ?? null;
  if (grade !== null && grade > 1) return 2;
  if (grade === 1 && risk !== null) return risk === 'low' ? 1 : 2;
  if (d.secondaryHypertension === true) return 1;
  return null;
}

/** Words for the diagnosis that decided the class (for the refusal). */
export function diagnosisWords(d: DiagnosisDetail): { en: string; zh: string } {
  if (d.conditions.includes('diabetes')) return { en: 'diabetes', zh: '糖尿病' };
  const grade = d.hypertensionGrade ?? null;
  const risk = d.riskGroup ?? null;
  if (grade !== null && (grade > 1 || risk !== null)) {
    return {
      en: `grade ${grade} hypertension${risk ? `, ${risk} risk` : ''}`,
      zh: `${GRADE_ZH[grade]}高血压${risk ? `${RISK_GROUP_ZH[risk]}组` : ''}`,
    };
  }
  return { en: 'secondary hypertension', zh: '继发性高血压' };
}

export interface ClassDecision {
  managementClass: ManagementClass | null;
  /** Set when an explicit class contradicts the diagnosis. */
  conflict: { message: string; messageZh: string } | null;
}

/**
 * The class to keep: the one the diagnosis gives, or the explicit one where the diagnosis does
 * not decide. An explicit class the diagnosis contradicts is a conflict (refused by the caller).
 */
export function decideClass(explicit: ManagementClass | null, d: DiagnosisDetail): ClassDecision {
  const derived = classFromDiagnosis(d);
  if (derived === null) return { managementClass: explicit, conflict: null };
  if (explicit !== null && explicit !== derived) {
    const w = diagnosisWords(d);
    return {
      managementClass: null,
      conflict: {
        message: `management class ${explicit} contradicts the diagnosis: ${w.en} is class ${derived}`,
        messageZh: `管理类别与诊断不符：${w.zh}属${derived === 1 ? '一' : '二'}类管理对象，不能登记为${explicit === 1 ? '一' : '二'}类`,
      },
    };
  }
  return { managementClass: derived, conflict: null };
}
