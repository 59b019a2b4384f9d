// What a pharmacist records about each box dispensed on a line: its 药品追溯码 (the 20-digit
// 码上放心 code printed on the box), the manufacturer's batch number and expiry, and the
// 用法用量 the continuous-prescription form and the fee details carry. Shared by the service
// contract, the CLI body and the sale pipeline; checked here where the line enters.
import { z } from 'zod';
import { isoDate } from './fields.ts';

/** A 码上放心 drug trace code: exactly 20 digits. */
export const TRACE_CODE_PATTERN = /^\d{20}$/;
export const TraceCodeSchema = z.string().trim().regex(TRACE_CODE_PATTERN, { message: 'a drug trace code is 20 digits' });

/** 用法用量: one dose, how often, how taken (free text as the prescription says it). */
export const LineUsageSchema = z.strictObject({
  dose: z.string().trim().min(1, { message: 'usage.dose is required' }).max(40),
  frequency: z.string().trim().min(1, { message: 'usage.frequency is required' }).max(40),
  route: z.string().trim().min(1, { message: 'usage.route is required' }).max(40),
});
export type LineUsage = z.output<typeof LineUsageSchema>;

/** The optional per-line facts beside code, quantity and days. */
export const DispensedLineShape = {
  /** One trace code per box scanned (at most one per whole package sold). */
  traceCodes: z.array(TraceCodeSchema).max(1000).optional(),
  /** 生产批号 as printed on the box. */
  batch: z.string().trim().min(1).max(30).optional(),
  /** 有效期至. */
  expiry: isoDate('expiry', '有效期').optional(),
  /** 生产日期 as printed on the box (3505 商品销售 manu_date). */
  manufactureDate: isoDate('manufactureDate', '生产日期').optional(),
  usage: LineUsageSchema.optional(),
};

export interface DispensedLineFacts {
  traceCodes?: string[] | undefined;
  batch?: string | undefined;
  expiry?: string | undefined;
  manufactureDate?: string | undefined;
  usage?: LineUsage | undefined;
}

/** Within this many days of its expiry a line is warned about (it is refused once expired). */
export const NEAR_EXPIRY_DAYS = 90;
