// The shape of a policy file (resources/policies/<id>.json, or a site file that adds or
// replaces versions). Validated with zod when loaded; the engine only ever sees parsed data.
import { z } from 'zod';
import { isReasonCode } from './reasons.ts';
import { isRealDate } from '../contract/fields.ts';

const rate = z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'a rate is a decimal string between 0 and 1');
const amount = z.string().regex(/^\d+(\.\d{1,2})?$/, 'an amount is a decimal string with at most 2 decimals');
const date = z.string().refine(isRealDate, 'a real date yyyy-MM-dd');
const reasonCode = z.string().refine(isReasonCode, 'an unknown reason code (see core/policy/reasons.ts)');
const levels = z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).min(1);

/** Facts a line rule can test; every listed field must match. */
const LineWhen = z
  .object({
    kind: z.enum(['drug', 'exam']).optional(),
    listed: z.boolean().optional(),
    vbp: z.boolean().optional(),
    levels: levels.optional(),
    managementClass: z.array(z.union([z.literal(1), z.literal(2)])).optional(),
    insurance: z.array(z.enum(['resident', 'employee'])).optional(),
    institutionType: z.array(z.enum(['clinic', 'pharmacy'])).optional(),
  })
  .strict();

/** A line rule: the first whose `when` matches decides. `rate: null` = the seed publishes none. */
const LineRule = z.union([
  z.object({ when: LineWhen, rate: rate.nullable(), source: z.string() }).strict(),
  z.object({ when: LineWhen, covered: z.literal(false), reason: reasonCode, source: z.string() }).strict(),
]);

const CapWhen = z
  .object({
    insurance: z.array(z.enum(['resident', 'employee'])).optional(),
    /** The patient's two-disease conditions exactly: one of them, or both. */
    conditions: z.enum(['hypertension', 'diabetes', 'both', 'any']).optional(),
    managementClass: z.array(z.union([z.literal(1), z.literal(2)])).optional(),
    /** Two-disease conditions plus other chronic diseases. */
    diseaseCountAtLeast: z.number().int().min(1).optional(),
  })
  .strict();

const CapEntry = z
  .object({
    when: CapWhen,
    amount,
    /** Each disease beyond `above` adds `amount` (seed 001 §三.(一).2). */
    perExtraDisease: z.object({ above: z.number().int().min(1), amount }).strict().optional(),
    source: z.string(),
  })
  .strict();

const Cap = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('table'), entries: z.array(CapEntry).min(1), sharedWith: z.string().optional() }).strict(),
  /** The seed sets no amount of its own: every request must supply annualCap. */
  z.object({ kind: z.literal('supplied'), source: z.string(), sharedWith: z.string().optional() }).strict(),
]);

const Eligibility = z
  .object({
    insurance: z.array(z.enum(['resident', 'employee'])).min(1),
    /** Chronic-disease outpatient benefits end the scheme from their start date. */
    chronicDiseaseSupersedes: z.boolean(),
    institutionTypes: z.array(z.enum(['clinic', 'pharmacy'])).min(1),
    levels,
    /** Covered only at the one institution the patient chose (定点). */
    designatedInstitutionOnly: z.boolean(),
    /** The patient needs a management class (Chongqing). */
    requiresManagementClass: z.boolean().default(false),
    sources: z.array(z.string()).default([]),
  })
  .strict();

/** Supply limits the supervision checks read (days per prescription). */
const Supply = z
  .object({
    maxDaysPerPrescription: z.number().int().positive().nullable(),
    minDaysLongPrescription: z.number().int().positive().optional(),
    refillWhenDaysLeftAtMost: z.number().int().min(0).default(15),
    source: z.string(),
  })
  .strict();

export const PolicyVersionSchema = z
  .object({
    effectiveFrom: date,
    document: z.string(),
    eligibility: Eligibility,
    lineRules: z.array(LineRule).min(1),
    cap: Cap,
    supply: Supply.optional(),
    /** Whether an employee's 医保个人账户 may pay the patient's share at the counter (absent: it may not). */
    personalAccount: z.object({ allowed: z.boolean(), source: z.string() }).strict().optional(),
    notes: z.array(z.string()).default([]),
  })
  .strict();

export const PolicyFileSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    code: z.string().optional(),
    name: z.string(),
    /** The platform's medical type for a two-disease visit here (differs by province). */
    medType: z.string().optional(),
    versions: z.array(PolicyVersionSchema).min(1),
  })
  .strict();

export type PolicyFile = z.output<typeof PolicyFileSchema>;
export type PolicyVersion = z.output<typeof PolicyVersionSchema>;
export type LineRule = z.output<typeof LineRule>;
export type CapEntry = z.output<typeof CapEntry>;
