// The institution this counter belongs to: what every quote needs about the seller.
import { z } from 'zod';
import { money } from './fields.ts';

export const InstitutionSchema = z
  .object({
    /** 定点医药机构编号 (fixmedins_code). */
    code: z.string().regex(/^[A-Za-z0-9]{1,30}$/, 'the institution code is 1–30 letters or digits'),
    name: z.string().min(1).max(100),
    type: z.enum(['clinic', 'pharmacy'], { error: 'type is clinic or pharmacy' }),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'level is 1, 2 or 3 (一级/二级/三级)' }),
    /** Policy id in the policy book (lincang, chongqing, …). */
    policy: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a policy id such as lincang'),
    /** 6-digit region (or county) code of the institution (医保区划): picks the two-disease list. */
    region: z.string().regex(/^\d{6}$/, 'a 6-digit region code'),
    platformEndpoint: z.string().url().nullable().default(null),
    /** Site-supplied annual cap where the policy sets none (cap kind "supplied"). */
    annualCap: money('annualCap', '年度支付限额').nullable().default(null),
  })
  .strict();

export type Institution = z.output<typeof InstitutionSchema>;
export type InstitutionInput = z.input<typeof InstitutionSchema>;
