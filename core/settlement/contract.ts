// What settle() and reverse() accept, validated with zod where it enters (CLI, service, tests).
import { z } from 'zod';
import { QuoteRequestSchema, type QuoteRequest, type QuoteResult } from '../contract/quote.ts';

export const PatientForSettlementSchema = z.object({
  /** 人员编号 from the roster / 1101. */
  psnNo: z.string().trim().min(1).max(30),
  /** mdtrt_cert_type: 01 医保电子凭证, 02 居民身份证, 03 社会保障卡. */
  certType: z.enum(['01', '02', '03']),
  certNo: z.string().trim().min(1).max(600),
  cardSn: z.string().max(32).nullable().optional(),
  certno: z.string().max(18).nullable().optional(),
  name: z.string().max(50).default(''),
  /** insutype 390 城乡居民, 310 职工. */
  insutype: z.enum(['310', '390']),
  /** 参保地区划 (insuplc_admdvs) for the envelope. */
  insuplcAdmdvs: z.string().regex(/^\d{6}$/).nullable().optional(),
  /** Insured elsewhere and settled directly through the platform (core/sale/out-of-area.ts): in no local two-disease report. */
  outOfArea: z.boolean().optional(),
});
export type PatientForSettlement = z.output<typeof PatientForSettlementSchema>;

export const InstitutionForSettlementSchema = z.object({
  code: z.string().length(12, { message: 'fixmedins_code must be 12 characters (it starts every msgid)' }),
  name: z.string().min(1).max(200),
  type: z.enum(['clinic', 'pharmacy']),
  level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  /** 就医地区划 (mdtrtarea_admvs); the region's configured code when absent. */
  region: z.string().regex(/^\d{6}$/).nullable().optional(),
});
export type InstitutionForSettlement = z.output<typeof InstitutionForSettlementSchema>;

export const OperatorSchema = z.object({ id: z.string().trim().min(1).max(30), name: z.string().trim().min(1).max(50) });
export type Operator = z.output<typeof OperatorSchema>;

/** Catalog facts per quote line: the national code (med_list_codg) and the institution's own. */
export const SettleLineSchema = z.object({
  lineId: z.string().min(1).max(64),
  code: z.string().trim().min(1).max(50),
  ownCode: z.string().max(50).nullable().optional(),
  name: z.string().trim().min(1).max(200),
  spec: z.string().max(200).nullable().optional(),
});
export type SettleLine = z.output<typeof SettleLineSchema>;

export interface SettleInput {
  /** Caller's idempotency key: the same requestId returns the settlement already made. */
  requestId?: string | null;
  request: QuoteRequest;
  /** The engine's split for `request` (the sale pipeline's result, core/sale); checked to match the request and be eligible. */
  result: QuoteResult;
  patient: PatientForSettlement;
  institution: InstitutionForSettlement;
  operator: Operator;
  lines: SettleLine[];
}

export const SettleInputSchema = z.object({
  requestId: z.string().max(64).nullable().optional(),
  request: QuoteRequestSchema,
  patient: PatientForSettlementSchema,
  institution: InstitutionForSettlementSchema,
  operator: OperatorSchema,
  lines: z.array(SettleLineSchema).min(1),
});

/**
 * A line to return: its reference (line id, feedetl_sn, the quote's line id or line number) for
 * all that is left of it, or with the quantity to return (packages; part packages where the item splits).
 */
export type ReturnLineRef = string | { line: string; quantity?: string };

export interface ReverseInput {
  settlementId: string;
  /** Lines to return; everything left of every line when absent. */
  lines?: ReturnLineRef[] | null;
  operator: Operator;
  reason: string;
  requestId?: string | null;
}

export type { QuoteRequest, QuoteResult };
