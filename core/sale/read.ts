// Step 4 of the sale pipeline: the one read model of a settlement (sale, reversal or return).
// One statement reads the record with its lines, outbox state, the platform's answers,
// variances, the records against it and who settled it; every JSON column is checked with zod
// here, so a damaged or foreign row is an error naming the column, never a cast.
import { z } from 'zod';
import { maskCertno, maskName } from '../identity/mask.ts';
import type { DB } from '../store/db.ts';
import { readSettlementRow, type LineRow, type SettlementReadRow } from '../store/journal.ts';
import type { OutboxStatus } from '../store/outbox.ts';
import {
  StoredLineFactsSchema,
  StoredPatientSchema,
  StoredPrescriptionSchema,
  StoredQuoteRequestSchema,
  StoredQuoteResultSchema,
  StoredStepsSchema,
  type StoredLineFacts,
  type StoredPrescription,
} from '../contract/sale.ts';
import type { QuoteResult } from '../contract/quote.ts';

export const OUTBOX_STATUS_ZH: Record<OutboxStatus, string> = {
  pending: '待上传',
  sending: '上传中',
  acked: '已上传',
  rejected: '平台拒绝',
  ambiguous: '结果待确认',
  dead: '多次失败，需处理',
  cancelled: '本地撤销（未上传）',
};

export interface SettlementRecord {
  id: string;
  kind: SettlementReadRow['kind'];
  receiptNo: string;
  originalId: string | null;
  date: string;
  settledAt: string;
  institution: { code: string; name: string; type: string; level: number };
  patient: { psnNo: string; nameMasked: string; certnoMasked: string; certType: string; insutype: string; conditions: string[] };
  operator: { id: string; name: string };
  policy: { id: string; version: string };
  total: string;
  inScope: string;
  fund: string;
  patientPays: string;
  reason: string | null;
  lines: {
    id: string;
    lineNo: number;
    feedetlSn: string;
    code: string;
    name: string;
    quantity: string;
    price: string;
    total: string;
    inScope: string;
    fund: string;
    patient: string;
    rate: string;
    reversesLineId: string | null;
  }[];
  outbox: { id: string; status: OutboxStatus; statusZh: string; step: number; steps: number; attempts: number; lastError: string | null; rejectReason: string | null; setlId: string | null } | null;
  platform: { setlId: string; role: string; medfeeSumamt: string; fundPaySumamt: string; psnPartAmt: string }[];
  variances: { field: string; lineRef: string; local: string; platform: string; difference: string }[];
  reversedBy: string[];
  hash: string;
}

/** The record plus what the screen, the print and the CLI read beside it. */
export interface SettlementReadModel {
  record: SettlementRecord;
  /** The engine's request and answer the split came from (a reversal's own, for a reversal). */
  request: z.output<typeof StoredQuoteRequestSchema> | null;
  result: QuoteResult | null;
  /** The journal's own rows (for comparison and hash checks), lines in order. */
  row: Omit<SettlementReadRow, 'lines_json' | 'outbox_json' | 'platform_json' | 'variances_json' | 'against_json' | 'operator_role' | 'prescription' | 'request_hash'>;
  lineRows: LineRow[];
  /** Each line's facts (spec, VBP, listed, the rule that decided), by line id. */
  lineFacts: Map<string, StoredLineFacts>;
  /** Who settled it at this counter (null: not recorded, e.g. a script's operator not registered). */
  operatorRole: string | null;
  prescription: StoredPrescription | null;
}

const LineRowSchema = z.object({
  id: z.string(),
  settlement_id: z.string(),
  line_no: z.number().int(),
  feedetl_sn: z.string(),
  quote_line_id: z.string(),
  catalog_code: z.string(),
  own_code: z.string().nullable(),
  name: z.string(),
  quantity: z.string(),
  price: z.string(),
  total: z.string(),
  in_scope: z.string(),
  fund: z.string(),
  patient_pay: z.string(),
  rate: z.string(),
  covered: z.number().int(),
  facts_json: z.string(),
  reverses_line_id: z.string().nullable(),
});
const OutboxJson = z.object({
  id: z.string(),
  status: z.enum(['pending', 'sending', 'acked', 'rejected', 'ambiguous', 'dead', 'cancelled']),
  step: z.number().int(),
  steps_json: z.string(),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  reject_reason: z.string().nullable(),
  setl_id: z.string().nullable(),
});
const PlatformJson = z.array(z.object({ setl_id: z.string(), role: z.string(), medfee_sumamt: z.string(), fund_pay_sumamt: z.string(), psn_part_amt: z.string() }));
const LinesJson = z.array(LineRowSchema);
const AgainstJson = z.array(z.string());
const VariancesJson = z.array(z.object({ field: z.string(), line_ref: z.string(), local_value: z.string(), platform_value: z.string(), difference: z.string() }));

/** JSON text from a column, checked by its schema; a bad column is named in the error. */
function parseColumn<T>(schema: z.ZodType<T>, text: string, column: string, id: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`settlement ${id}: ${column} is not JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(`settlement ${id}: ${column} does not have the expected shape (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return r.data;
}

/** The settlement with this id (or receipt number), or null. */
export function readSettlement(db: DB, idOrReceipt: string): SettlementReadModel | null {
  const full = readSettlementRow(db, idOrReceipt);
  if (!full) return null;
  const { lines_json, outbox_json, platform_json, variances_json, against_json, operator_role, prescription, request_hash: _h, ...row } = full;
  const id = row.id;
  const p = parseColumn(StoredPatientSchema, row.patient_json, 'patient_json', id);
  const lineRows = parseColumn(LinesJson, lines_json, 'lines', id) as LineRow[];
  const outbox = outbox_json === null ? null : parseColumn(OutboxJson, outbox_json, 'outbox', id);
  const platform = parseColumn(PlatformJson, platform_json, 'platform_settlement', id);
  const variances = parseColumn(VariancesJson, variances_json, 'variance', id);
  const against = parseColumn(AgainstJson, against_json, 'records against', id);
  const lineFacts = new Map(lineRows.map((l) => [l.id, parseColumn(StoredLineFactsSchema, l.facts_json, `settlement_line ${l.line_no} facts_json`, id)]));
  const request = row.kind === 'sale' ? parseColumn(StoredQuoteRequestSchema, row.request_json, 'request_json', id) : null;
  const result = row.kind === 'sale' ? (parseColumn(StoredQuoteResultSchema, row.result_json, 'result_json', id) as QuoteResult) : null;
  const record: SettlementRecord = {
    id,
    kind: row.kind,
    receiptNo: row.receipt_no,
    originalId: row.original_id,
    date: row.settle_date,
    settledAt: row.settled_at,
    institution: { code: row.institution_code, name: row.institution_name, type: row.institution_type, level: row.institution_level },
    patient: {
      psnNo: row.psn_no,
      nameMasked: maskName(p.name ?? ''),
      certnoMasked: maskCertno(p.certno ?? (p.certType === '02' ? p.certNo : '')),
      certType: p.certType,
      insutype: p.insutype,
      conditions: p.conditions ?? [],
    },
    operator: { id: row.operator_id, name: row.operator_name },
    policy: { id: row.policy_id, version: row.policy_version },
    total: row.total,
    inScope: row.in_scope,
    fund: row.fund,
    patientPays: row.patient_pay,
    reason: row.reason,
    lines: lineRows.map((l) => ({
      id: l.id,
      lineNo: l.line_no,
      feedetlSn: l.feedetl_sn,
      code: l.catalog_code,
      name: l.name,
      quantity: l.quantity,
      price: l.price,
      total: l.total,
      inScope: l.in_scope,
      fund: l.fund,
      patient: l.patient_pay,
      rate: l.rate,
      reversesLineId: l.reverses_line_id,
    })),
    outbox: outbox
      ? {
          id: outbox.id,
          status: outbox.status,
          statusZh: OUTBOX_STATUS_ZH[outbox.status],
          step: outbox.step,
          steps: parseColumn(StoredStepsSchema, outbox.steps_json, 'outbox.steps_json', id).length,
          attempts: outbox.attempts,
          lastError: outbox.last_error,
          rejectReason: outbox.reject_reason,
          setlId: outbox.setl_id,
        }
      : null,
    platform: platform.map((x) => ({ setlId: x.setl_id, role: x.role, medfeeSumamt: x.medfee_sumamt, fundPaySumamt: x.fund_pay_sumamt, psnPartAmt: x.psn_part_amt })),
    variances: variances.map((v) => ({ field: v.field, lineRef: v.line_ref, local: v.local_value, platform: v.platform_value, difference: v.difference })),
    reversedBy: row.kind === 'sale' ? against : [],
    hash: row.hash,
  };
  return {
    record,
    request,
    result,
    row,
    lineRows,
    lineFacts,
    operatorRole: operator_role,
    prescription: prescription === null ? null : parseColumn(StoredPrescriptionSchema, prescription, 'settlement_operators.prescription', id),
  };
}
