// Sales the two-disease scheme does not settle, handled rather than turned away:
// - self-pay (自费): what the scheme does not cover, always possible, recorded and printed as such;
// - out-of-area (异地, seed 001 §四): a patient insured elsewhere; the local rules are not applied,
//   the patient pays in full here and takes a 垫付 claim receipt to the insuring bureau.
// Priced from the catalog's retail price; committed once (idempotent by requestId), never edited.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { InputError, Refusal, parseOrThrow, problem, type Problem } from '../contract/problems.ts';
import { isoDate } from '../contract/fields.ts';
import { parseIdNumber } from '../identity/idnumber.ts';
import { Decimal, fen, roundFen, unitPrice } from '../money/decimal.ts';
import type { DB } from '../store/db.ts';
import { getCatalogItem } from '../store/catalog.ts';
import { cashSale, cashSaleByRequest, insertCashSale, nextCashReceiptNo, type CashSaleRow } from '../store/cash.ts';

export const CASH_KINDS = ['self-pay', 'out-of-area'] as const;
export type CashKind = (typeof CASH_KINDS)[number];
export const CASH_KIND_ZH: Record<CashKind, string> = { 'self-pay': '自费', 'out-of-area': '异地就医（垫付）' };

export const CashPersonSchema = z
  .object({
    name: z.string().trim().min(1, { message: 'the patient\'s name is required' }).max(50),
    certno: z.string().trim().max(18).nullable().default(null),
    /** 参保地区划 of a patient insured elsewhere (6 digits). */
    insuredRegion: z.string().regex(/^\d{6}$/, { message: 'insuredRegion must be a 6-digit region code' }).nullable().default(null),
    insurance: z.enum(['resident', 'employee']).nullable().default(null),
    conditions: z.array(z.enum(['hypertension', 'diabetes'])).max(2).default([]),
  })
  .strict();

export const CashSaleInputSchema = z
  .object({
    requestId: z.uuid({ message: 'requestId must be a UUID' }),
    kind: z.enum(CASH_KINDS),
    date: isoDate('date', '日期'),
    /** A roster patient (人员编号), when known. */
    psnNo: z.string().max(30).nullable().default(null),
    person: CashPersonSchema,
    lines: z
      .array(z.object({ code: z.string().trim().min(1).max(40), quantity: z.string().regex(/^\d{1,6}(\.\d{1,4})?$/, { message: 'quantity must be a positive number' }) }).strict())
      .min(1, { message: 'a sale needs at least one line' })
      .max(200),
    reason: z.string().trim().max(200).nullable().default(null),
    operator: z.object({ id: z.string().min(1), name: z.string().min(1) }),
    /** The hash of what the caller asked for (core/sale saleRequestHash): binds the requestId to its content. */
    requestHash: z.string().regex(/^[0-9a-f]{64}$/).nullable().default(null),
  })
  .strict();
export type CashSaleInput = z.input<typeof CashSaleInputSchema>;

export interface CashLine {
  code: string;
  name: string;
  spec: string | null;
  drugClass: '甲' | '乙' | null;
  vbp: boolean;
  quantity: string;
  price: string;
  total: string;
}

export interface CashSaleRecord {
  id: string;
  receiptNo: string;
  kind: CashKind;
  date: string;
  createdAt: string;
  operator: { id: string; name: string };
  psnNo: string | null;
  person: z.output<typeof CashPersonSchema>;
  lines: CashLine[];
  total: string;
  reason: string | null;
}

const refuse = (problems: Problem[]): never => {
  throw new InputError('INVALID_REQUEST', `The sale is invalid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`, problems.map((p) => p.messageZh).join('；'), problems);
};

function toRecord(r: CashSaleRow): CashSaleRecord {
  return {
    id: r.id,
    receiptNo: r.receipt_no,
    kind: r.kind,
    date: r.sale_date,
    createdAt: r.created_at,
    operator: { id: r.operator_id, name: r.operator_name },
    psnNo: r.psn_no,
    person: CashPersonSchema.parse(JSON.parse(r.patient_json)),
    lines: z.array(z.object({ code: z.string(), name: z.string(), spec: z.string().nullable(), drugClass: z.enum(['甲', '乙']).nullable(), vbp: z.boolean(), quantity: z.string(), price: z.string(), total: z.string() })).parse(JSON.parse(r.lines_json)),
    total: fen(new Decimal(r.total_fen).dividedBy(100)),
    reason: r.reason,
  };
}

function idempotencyConflict(requestId: string): Refusal {
  const en = `requestId ${requestId} was already used for a different sale; use a new requestId for a new sale`;
  const zh = `请求编号 ${requestId} 已用于另一笔销售，新的销售请使用新的请求编号`;
  return new Refusal('IDEMPOTENCY_CONFLICT', en, zh, [problem('requestId', 'IDEMPOTENCY_CONFLICT', en, zh)]);
}

/**
 * Records a cash sale. A retry with the same requestId and the same content returns the first
 * one; the same requestId with other content is refused (IDEMPOTENCY_CONFLICT, 409 over HTTP).
 */
export function recordCashSale(db: DB, raw: CashSaleInput, now: Date = new Date()): CashSaleRecord {
  const input = parseOrThrow(CashSaleInputSchema, raw);
  const problems: Problem[] = [];
  const p = input.person;
  if (input.kind === 'out-of-area') {
    // The insuring bureau reimburses on identity, place of insurance and insurance type.
    if (!p.certno) problems.push(problem('person.certno', 'REQUIRED', 'an out-of-area claim needs the ID number', '异地就医垫付须填写身份证号'));
    if (!p.insuredRegion) problems.push(problem('person.insuredRegion', 'REQUIRED', 'an out-of-area claim needs the place of insurance', '异地就医垫付须填写参保地区划'));
    if (!p.insurance) problems.push(problem('person.insurance', 'REQUIRED', 'an out-of-area claim needs the insurance type', '异地就医垫付须选择险种'));
  }
  if (p.certno) {
    const id = parseIdNumber(p.certno, input.date, 'person.certno');
    if (!id.valid) problems.push(...id.problems);
    else p.certno = id.normalized;
  }
  const lines: CashLine[] = [];
  input.lines.forEach((l, i) => {
    const item = getCatalogItem(db, l.code);
    if (!item) return problems.push(problem(`lines.${i}.code`, 'UNKNOWN_DRUG', `no catalog item has code ${JSON.stringify(l.code)}`, `药品目录中没有编码为 ${l.code} 的药品`));
    if (item.retail_price === null) return problems.push(problem(`lines.${i}.code`, 'NO_PRICE', `item ${item.code} has no retail price`, `药品 ${item.generic_name} 未设置零售价`));
    if (!new Decimal(l.quantity).greaterThan(0)) return problems.push(problem(`lines.${i}.quantity`, 'INVALID_QUANTITY', 'quantity must be more than zero', '数量须大于 0'));
    lines.push({
      code: item.code,
      name: item.trade_name ? `${item.generic_name}（${item.trade_name}）` : item.generic_name,
      spec: item.spec,
      drugClass: item.drug_class,
      vbp: item.vbp,
      quantity: l.quantity,
      price: unitPrice(item.retail_price),
      total: fen(roundFen(new Decimal(item.retail_price).times(l.quantity))),
    });
  });
  if (problems.length > 0) refuse(problems);
  const total = lines.reduce((a, l) => a.plus(l.total), new Decimal(0));
  const id = db.transaction((): string => {
    const existing = cashSaleByRequest(db, input.requestId);
    if (existing) {
      if (existing.request_hash !== null && input.requestHash !== null && existing.request_hash !== input.requestHash) throw idempotencyConflict(input.requestId);
      return existing.id;
    }
    const row: CashSaleRow = {
      id: randomUUID(),
      request_id: input.requestId,
      kind: input.kind,
      receipt_no: nextCashReceiptNo(db, input.date, input.kind),
      sale_date: input.date,
      created_at: now.toISOString(),
      operator_id: input.operator.id,
      operator_name: input.operator.name,
      psn_no: input.psnNo,
      patient_json: JSON.stringify(p),
      lines_json: JSON.stringify(lines),
      total_fen: total.times(100).toNumber(),
      reason: input.reason,
      request_hash: input.requestHash,
    };
    insertCashSale(db, row);
    return row.id;
  }).immediate();
  return toRecord(cashSale(db, id)!);
}

export function loadCashSale(db: DB, idOrReceipt: string): CashSaleRecord | null {
  const r = cashSale(db, idOrReceipt);
  return r ? toRecord(r) : null;
}
