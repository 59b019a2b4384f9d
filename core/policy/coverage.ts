// Line coverage decisions that hold in every region, outside the policy files' rate rules.
import type { QuoteRequest } from '../contract/quote.ts';
import type { ReasonCode } from './reasons.ts';

/**
 * A two-disease drug is reimbursed for the condition the patient is filed for (seed 000 §二.(二).3
 * 两病门诊用药保障, the 附件2 lists per disease): a line whose drug treats the other condition is
 * not covered, and the counter offers to file it (新增病种, seed 003 §二.(三).1). A line that does
 * not say what it treats is left to the policy's rules.
 */
export function unfiledConditionReason(line: QuoteRequest['lines'][number], patient: QuoteRequest['patient']): ReasonCode | null {
  if (line.treats === undefined || patient.conditions.includes(line.treats)) return null;
  return line.treats === 'hypertension' ? 'TREATS_UNFILED_HYPERTENSION' : 'TREATS_UNFILED_DIABETES';
}
