// The quote contract (v1): what the CLI, the local API and the counter screen send to the
// policy engine and get back. Field names are the contract; money is a decimal string.
import { z } from 'zod';
import { AMOUNT_LIMITS, decimalField, isoDate, money, tooLargeMessage } from './fields.ts';
import { Decimal } from '../money/decimal.ts';

export const POLICY_IDS = ['lincang', 'chongqing', 'kunming', 'ezhou', 'dazhou'] as const;
export const CONDITIONS = ['hypertension', 'diabetes'] as const;
export type Condition = (typeof CONDITIONS)[number];
export type Insurance = 'resident' | 'employee';
export type InstitutionType = 'clinic' | 'pharmacy';
export type LineKind = 'drug' | 'exam';

export const QuoteLineSchema = z.strictObject({
  id: z.string().min(1).max(64),
  kind: z.enum(['drug', 'exam']).default('drug'),
  listed: z.boolean(),
  vbp: z.boolean().default(false),
  price: decimalField({ maxDecimals: 6, what: 'price', whatZh: '单价', max: AMOUNT_LIMITS.unitPrice }),
  paymentStandard: decimalField({ maxDecimals: 6, what: 'paymentStandard', whatZh: '医保支付标准', max: AMOUNT_LIMITS.unitPrice }).optional().nullable(),
  quantity: decimalField({ maxDecimals: 4, positive: true, what: 'quantity', whatZh: '数量', max: AMOUNT_LIMITS.quantity }),
  /** The condition the drug treats (from the catalog); a line for a condition not filed is not covered. */
  treats: z.enum(CONDITIONS).optional(),
});

// Strict throughout: an unknown field in a request is refused, never silently dropped (issue 11).
export const QuoteRequestSchema = z
  .strictObject({
    // Any id is accepted here: site policy files may add regions; the engine names unknown ones.
    policy: z.string().min(1),
    date: isoDate('date', '结算日期'),
    institution: z.strictObject({
      type: z.enum(['clinic', 'pharmacy']),
      level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
      code: z.string().max(30).optional().nullable(),
    }),
    patient: z.strictObject({
      insurance: z.enum(['resident', 'employee']),
      conditions: z.array(z.enum(CONDITIONS)).max(2),
      managementClass: z.union([z.literal(1), z.literal(2)]).optional().nullable(),
      otherChronicDiseases: z.number().int().min(0).max(20).default(0),
      chronicDiseaseSince: isoDate('chronicDiseaseSince', '门诊慢特病待遇起始日期').optional().nullable(),
      designatedInstitution: z.string().max(30).optional().nullable(),
    }),
    usedThisYear: money('usedThisYear', '本年度已支付', AMOUNT_LIMITS.saleTotal).default('0.00'),
    annualCap: money('annualCap', '年度支付限额', AMOUNT_LIMITS.saleTotal).optional().nullable(),
    lines: z.array(QuoteLineSchema).min(1, { message: 'a sale needs at least one line' }).max(500),
  })
  .superRefine((req, ctx) => {
    const seen = new Set<string>();
    req.lines.forEach((line, i) => {
      if (seen.has(line.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'id'],
          message: `line id ${JSON.stringify(line.id)} is used twice`,
          params: { zh: `明细编号 ${line.id} 重复` },
        });
      }
      seen.add(line.id);
    });
    let total = new Decimal(0);
    for (const line of req.lines) total = total.plus(new Decimal(line.price).times(line.quantity));
    if (total.greaterThan(AMOUNT_LIMITS.saleTotal)) {
      const m = tooLargeMessage('sale total (price × quantity over all lines)', '本单合计金额', AMOUNT_LIMITS.saleTotal, total.toFixed(2));
      ctx.addIssue({ code: 'custom', path: ['lines'], message: m.message, params: { zh: m.zh } });
    }
    if (new Set(req.patient.conditions).size !== req.patient.conditions.length) {
      ctx.addIssue({ code: 'custom', path: ['patient', 'conditions'], message: 'a condition is listed twice', params: { zh: '病种重复' } });
    }
  });

export type QuoteRequest = z.output<typeof QuoteRequestSchema>;
export type QuoteRequestInput = z.input<typeof QuoteRequestSchema>;
export type QuoteLine = z.output<typeof QuoteLineSchema>;

export interface Reason {
  code: string;
  message: string;
}

export interface QuoteLineResult {
  id: string;
  total: string;
  inScope: string;
  rate: string;
  fund: string;
  patient: string;
  covered: boolean;
  reason: Reason | null;
  /** The policy paragraph the rate came from. */
  source: string | null;
}

export interface QuoteResult {
  eligible: boolean;
  reasons: Reason[];
  policy: { id: string; name: string; version: string; document: string };
  total: string;
  inScope: string;
  fund: string;
  patient: string;
  cap: { limit: string; remainingBefore: string; remainingAfter: string; source: 'policy' | 'request' };
  lines: QuoteLineResult[];
}
