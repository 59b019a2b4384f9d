// The boundary between a counter and its group's hub (core/hub): what a counter sends up (its
// journal records, verbatim), what it asks (a patient's year across the group, a terminal number,
// trace codes) and what flows down (the roster). Validated on both sides.
import { z } from 'zod';

const text = (max: number) => z.string().max(max);
const AMOUNT = z.string().regex(/^-?\d{1,9}(\.\d{1,2})?$/, 'an amount in yuan with at most 2 decimals');
const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-MM-dd');
const HASH = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');
const ID = z.string().min(1).max(64);

/** One journal record exactly as the counter's SQLite holds it (core/store/journal.ts rows). */
export const HubSettlementSchema = z.object({
  seq: z.number().int().positive(),
  id: ID,
  request_id: text(128).nullable(),
  kind: z.enum(['sale', 'reversal', 'return']),
  original_id: ID.nullable(),
  receipt_no: text(32),
  settle_date: DATE,
  settled_at: text(40),
  institution_code: text(30),
  institution_name: text(200),
  institution_type: z.enum(['clinic', 'pharmacy']),
  institution_level: z.number().int().min(0).max(9),
  psn_no: text(40),
  patient_json: text(20_000),
  operator_id: text(64),
  operator_name: text(100),
  policy_id: text(64),
  policy_version: text(32),
  total: AMOUNT,
  in_scope: AMOUNT,
  fund: AMOUNT,
  patient_pay: AMOUNT,
  request_json: text(200_000),
  result_json: text(200_000),
  reason: text(500).nullable(),
  prev_hash: HASH,
  hash: HASH,
  /** The counter's keyed seal of the record (its key never leaves the counter). */
  mac: HASH.nullable(),
}).strict();
export type HubSettlement = z.infer<typeof HubSettlementSchema>;

export const HubLineSchema = z.object({
  id: ID,
  settlement_id: ID,
  line_no: z.number().int().positive().max(1000),
  feedetl_sn: text(64),
  quote_line_id: text(64),
  catalog_code: text(64),
  own_code: text(64).nullable(),
  name: text(200),
  quantity: z.string().max(20),
  price: z.string().max(20),
  total: AMOUNT,
  in_scope: AMOUNT,
  fund: AMOUNT,
  patient_pay: AMOUNT,
  rate: z.string().max(20),
  covered: z.number().int().min(0).max(1),
  facts_json: text(20_000),
  reverses_line_id: ID.nullable(),
}).strict();
export type HubLine = z.infer<typeof HubLineSchema>;

export const HubRecordSchema = z.object({ settlement: HubSettlementSchema, lines: z.array(HubLineSchema).max(1000) }).strict();
export type HubRecord = z.infer<typeof HubRecordSchema>;

export const MAX_PUSH_RECORDS = 500;
export const HubPushSchema = z.object({ records: z.array(HubRecordSchema).min(1).max(MAX_PUSH_RECORDS) }).strict();
export type HubPush = z.infer<typeof HubPushSchema>;

export const HubPushReplySchema = z.object({
  /** Records stored now. */
  inserted: z.number().int().min(0),
  /** Records the hub already held, byte for byte (a retried push). */
  duplicates: z.number().int().min(0),
  /** The highest counter seq the hub now holds for this counter, so the counter can move its cursor. */
  highestSeq: z.number().int().min(0),
  /** Patients whose year across the group now exceeds the cap (flagged, never edited). */
  overCap: z.array(z.object({ psnNo: text(40), year: z.number().int(), fund: AMOUNT, cap: AMOUNT })),
}).strict();
export type HubPushReply = z.infer<typeof HubPushReplySchema>;

export const HubPoolReplySchema = z.object({
  psnNo: text(40),
  year: z.number().int().min(2000).max(2100),
  /** Fund paid this calendar year at every counter of the group (reversals netted). */
  fund: AMOUNT,
  /** Held by counters for sales being settled right now (not yet in the journal). */
  held: AMOUNT,
  counters: z.number().int().min(0),
}).strict();
export type HubPoolReply = z.infer<typeof HubPoolReplySchema>;

/** A counter about to settle asks the hub to hold the sale's fund amount against the patient's year. */
export const HubHoldSchema = z.object({
  saleId: ID,
  psnNo: text(40),
  year: z.number().int().min(2000).max(2100),
  amount: AMOUNT.refine((a) => !a.startsWith('-'), 'not negative'),
  cap: AMOUNT,
}).strict();
export type HubHold = z.infer<typeof HubHoldSchema>;
export const HubHoldReplySchema = z.object({ granted: z.boolean(), fund: AMOUNT, held: AMOUNT }).strict();
export type HubHoldReply = z.infer<typeof HubHoldReplySchema>;

export const HubTerminalReplySchema = z.object({
  counterId: ID,
  institutionCode: text(30),
  /** The terminal number (dev_no) of this counter, unique within its institution. */
  devNo: z.string().regex(/^\d{2}$/),
}).strict();
export type HubTerminalReply = z.infer<typeof HubTerminalReplySchema>;

/** 药品追溯码: 20 digits (码上放心). */
export const TRACE_CODE = z.string().regex(/^\d{20}$/, 'a 20-digit drug trace code');
export const HubTraceClaimSchema = z.object({ settlementId: ID, codes: z.array(TRACE_CODE).min(1).max(1000) }).strict();
export const HubTraceClaimReplySchema = z.object({
  claimed: z.array(TRACE_CODE),
  refused: z.array(z.object({ code: TRACE_CODE, counterId: ID, settlementId: ID })),
}).strict();
export type HubTraceClaimReply = z.infer<typeof HubTraceClaimReplySchema>;

/** One roster row as the hub hands it down: the patients table's own columns (core/store migration 10). */
export const HubRosterRowSchema = z.object({
  psn_no: text(40),
  certno: text(18).nullable(),
  card_no: text(40).nullable(),
  name: text(100),
  gender: z.enum(['1', '2', '9']).nullable(),
  birth_date: DATE.nullable(),
  insutype: z.enum(['310', '390']),
  region: text(12).nullable(),
  conditions: z.enum(['hypertension', 'diabetes', 'both']),
  management_class: z.number().int().min(1).max(2).nullable(),
  other_chronic_diseases: z.number().int().min(0).max(20),
  chronic_disease_since: DATE.nullable(),
  designated_institution: text(30).nullable(),
  payment_mode: z.enum(['fee-for-service', 'capitation']),
  capitation_institution: text(30).nullable(),
  capitation_start_month: z.string().regex(/^\d{4}-\d{2}$/).nullable(),
  flagged_date: DATE.nullable(),
  flagged_by: z.enum(['bureau', 'health-commission', 'counter']).nullable(),
  status: z.enum(['active', 'stopped']),
  stopped_date: DATE.nullable(),
  stopped_reason: text(200).nullable(),
  ec_token: text(200).nullable(),
  content_hash: text(128),
}).strict();
export type HubRosterRow = z.infer<typeof HubRosterRowSchema>;

export const MAX_ROSTER_PAGE = 20_000;
export const HubRosterPageSchema = z.object({
  rows: z.array(HubRosterRowSchema).max(MAX_ROSTER_PAGE),
  /** The version of the last row in this page; ask again with it as `after`. */
  cursor: z.number().int().min(0),
  more: z.boolean(),
}).strict();
export type HubRosterPage = z.infer<typeof HubRosterPageSchema>;

export const HubErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    messageZh: z.string(),
    /** With JOURNAL_GAP: the highest of the counter's sequence numbers the hub holds (push again after it). */
    highestSeq: z.number().int().min(0).optional(),
  }),
});
