// Shapes of the sale pipeline (core/sale) shared with the store and the callers: what a sale
// asks for, and the JSON the journal keeps, checked with zod whenever it is read back.
import { z } from 'zod';
import { AMOUNT_LIMITS, decimalField, isoDate } from './fields.ts';
import { PrescriptionSchema, type Prescription } from './prescription.ts';
import { DispensedLineShape, LineUsageSchema, type DispensedLineFacts } from './dispensed.ts';

/** Packages on one line: positive, 4 decimals (a split pack), at most what a counter can meet (AMOUNT_LIMITS). */
export const saleQuantity = () => decimalField({ maxDecimals: 4, positive: true, what: 'quantity', whatZh: '数量', max: AMOUNT_LIMITS.quantity });

/** One line as the counter sends it: a catalog code (national, own code or barcode) and a quantity. */
export const SaleLineSchema = z.strictObject({
  code: z.string().trim().min(1, { message: 'code is required' }).max(64),
  quantity: saleQuantity(),
  /** Days of supply from the prescription: turns on the supply ceiling and the refill rule. */
  days: z.number().int().min(1).max(3660).optional(),
  ...DispensedLineShape,
});

export interface SaleLine extends DispensedLineFacts {
  code: string;
  quantity: string;
  days?: number | undefined;
  /** A price the clerk keys in (overrides the catalog's retail price). */
  price?: string | undefined;
  /** The engine's line id (default L1, L2, … in order). */
  id?: string | undefined;
  kind?: 'drug' | 'exam' | undefined;
}

/** What the pipeline prices and settles: the patient as scanned or typed, the date, the lines, the prescription. */
export interface SaleInput {
  patient: string;
  date: string;
  lines: SaleLine[];
  prescription?: Prescription | null | undefined;
}

export const SaleBodyShape = {
  patient: z.string().trim().min(1, { message: 'scan or type the patient code' }).max(600),
  date: isoDate('date', '结算日期').optional(),
  lines: z.array(SaleLineSchema).min(1, { message: 'a sale needs at least one line' }).max(200),
  prescription: PrescriptionSchema.optional(),
};

// ---------- the journal's JSON columns, as read back ----------

const ReasonJson = z.object({ code: z.string(), message: z.string() });

/** settlement.patient_json */
export const StoredPatientSchema = z.object({
  psnNo: z.string(),
  certType: z.string(),
  certNo: z.string(),
  cardSn: z.string().nullish(),
  certno: z.string().nullish(),
  name: z.string().default(''),
  insutype: z.string(),
  insuplcAdmdvs: z.string().nullish(),
  conditions: z.array(z.string()).default([]),
  managementClass: z.number().nullish(),
  region: z.string().nullish(),
  outOfArea: z.boolean().nullish(),
});
export type StoredPatient = z.output<typeof StoredPatientSchema>;

/** settlement_line.facts_json */
export const StoredLineFactsSchema = z.object({
  kind: z.enum(['drug', 'exam']).optional(),
  listed: z.boolean().optional(),
  vbp: z.boolean().optional(),
  paymentStandard: z.string().nullish(),
  spec: z.string().nullish(),
  reason: ReasonJson.nullish(),
  source: z.string().nullish(),
  traceCodes: z.array(z.string()).optional(),
  batch: z.string().nullish(),
  expiry: z.string().nullish(),
  manufactureDate: z.string().nullish(),
  usage: LineUsageSchema.nullish(),
  days: z.number().nullish(),
  /** What a return line refers to (reversals keep their own facts). */
}).loose();
export type StoredLineFacts = z.output<typeof StoredLineFactsSchema>;

/** settlement.result_json: the engine's answer, kept as it was given. */
export const StoredQuoteResultSchema = z.object({
  eligible: z.boolean(),
  reasons: z.array(ReasonJson),
  policy: z.object({ id: z.string(), name: z.string(), version: z.string(), document: z.string() }),
  total: z.string(),
  inScope: z.string(),
  fund: z.string(),
  patient: z.string(),
  cap: z.object({ limit: z.string(), remainingBefore: z.string(), remainingAfter: z.string(), source: z.enum(['policy', 'request']) }),
  lines: z.array(
    z.object({
      id: z.string(),
      total: z.string(),
      inScope: z.string(),
      rate: z.string(),
      fund: z.string(),
      patient: z.string(),
      covered: z.boolean(),
      reason: ReasonJson.nullable(),
      source: z.string().nullable(),
    }),
  ),
});

/** settlement.request_json: the engine request the split was computed from. */
export const StoredQuoteRequestSchema = z.object({
  policy: z.string(),
  date: z.string(),
  institution: z.object({ type: z.enum(['clinic', 'pharmacy']), level: z.union([z.literal(1), z.literal(2), z.literal(3)]), code: z.string().nullish() }),
  patient: z.object({
    insurance: z.enum(['resident', 'employee']),
    conditions: z.array(z.enum(['hypertension', 'diabetes'])),
    managementClass: z.union([z.literal(1), z.literal(2)]).nullish(),
    otherChronicDiseases: z.number().default(0),
    chronicDiseaseSince: z.string().nullish(),
    designatedInstitution: z.string().nullish(),
  }),
  usedThisYear: z.string(),
  annualCap: z.string().nullish(),
  lines: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['drug', 'exam']),
      listed: z.boolean(),
      vbp: z.boolean(),
      price: z.string(),
      paymentStandard: z.string().nullish(),
      quantity: z.string(),
    }),
  ),
});

/** settlement_operators.prescription: today's shape, or the counter's older free-form facts. */
export const StoredPrescriptionSchema = z.union([
  PrescriptionSchema,
  z.object({ doctor: z.string().optional(), department: z.string().optional(), diagnosis: z.string().optional(), outpatientNo: z.string().optional(), consent: z.boolean().optional() }),
]);
export type StoredPrescription = z.output<typeof StoredPrescriptionSchema>;

/** outbox.steps_json */
export const StoredStepsSchema = z.array(z.object({ action: z.enum(['register', 'visit', 'fees', 'preview', 'settle', 'reverse', 'goods']), infno: z.string() }));

export type { Prescription };
