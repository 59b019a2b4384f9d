// reverse(): a full reversal or a partial return is a NEW journal record with negative lines
// that point at the sale's lines (each sale line can be returned once: UNIQUE reverses_line_id).
// What goes to the platform depends on how far the sale got:
//   - never sent: the sale's outbox row is cancelled locally (nothing to undo on the platform);
//     a partial return then uploads a settlement of the lines the patient kept;
//   - sent (or possibly sent): after the sale's row is final, 2208/2103 undoes the platform's
//     settlement and, for a partial return, the kept lines are settled again (the platform has
//     no per-line refund for these transactions).
import { v7 as uuidv7 } from 'uuid';
import { InputError } from '../contract/problems.ts';
import { Decimal, fen } from '../money/decimal.ts';
import type { DB } from '../store/db.ts';
import {
  getSettlement,
  getSettlementByRequestId,
  insertLine,
  insertSettlement,
  lastHash,
  linesOf,
  nextReceiptNo,
  recordsAgainst,
  returnedLineIds,
  type LineRow,
  type SettlementRow,
} from '../store/journal.ts';
import { getOutboxBySettlement, updateOutbox } from '../store/outbox.ts';
import { deleteCounterDispensing } from '../store/supervision.ts';
import { insertPayment, paymentOf, refundsOf, type PaymentRow } from '../store/payment.ts';
import { RecordedPaymentSchema, type RecordedPayment } from '../contract/payment.ts';
import { refundPlan } from '../sale/payment.ts';
import { enqueueRecord } from '../outbox/enqueue.ts';
import { reversalSteps } from '../outbox/steps.ts';
import { recordHash } from './hash.ts';
import { recordPoolUsage } from './ledger-bridge.ts';
import { OperatorSchema, type ReverseInput } from './contract.ts';
import { loadRecord, type SettlementRecord } from './view.ts';
import { parseOrThrow } from '../contract/problems.ts';

function refuse(code: string, en: string, zh: string, path = ''): never {
  throw new InputError(code, en, zh, [{ path, code, message: en, messageZh: zh }]);
}

function neg(v: string): string {
  return fen(new Decimal(v).negated());
}

function negQty(v: string): string {
  return new Decimal(v).negated().toString();
}

function sumOf(lines: LineRow[], pick: (l: LineRow) => string): string {
  return fen(lines.reduce((a, l) => a.plus(new Decimal(pick(l))), new Decimal(0)));
}

export function matchLine(lines: LineRow[], ref: string): LineRow | undefined {
  return lines.find((l) => l.id === ref || l.feedetl_sn === ref || l.quote_line_id === ref || String(l.line_no) === ref);
}

/** The sale and the lines a return takes back (every remaining line when none are named), or a refusal. */
function selectReturn(db: DB, settlementId: string, lineRefs: readonly string[] | null | undefined): { sale: SettlementRow; all: LineRow[]; remaining: LineRow[]; selected: LineRow[] } {
  const sale = getSettlement(db, settlementId);
  if (!sale) refuse('SETTLEMENT_NOT_FOUND', `No settlement ${settlementId}`, `找不到结算记录 ${settlementId}`, 'settlementId');
  if (sale.kind !== 'sale') refuse('NOT_A_SALE', `${sale.receipt_no} is itself a return; reverse the original sale ${sale.original_id}`, `${sale.receipt_no} 是退费记录，请对原结算退费`, 'settlementId');
  const all = linesOf(db, sale.id);
  const returned = returnedLineIds(db, sale.id);
  const remaining = all.filter((l) => !returned.has(l.id));
  if (remaining.length === 0) refuse('ALREADY_REVERSED', `${sale.receipt_no} has already been fully returned`, `${sale.receipt_no} 已全部退费`, 'settlementId');

  let selected = remaining;
  if (lineRefs && lineRefs.length > 0) {
    const picked = new Map<string, LineRow>();
    lineRefs.forEach((ref, i) => {
      const line = matchLine(all, ref);
      if (!line) refuse('UNKNOWN_LINE', `${sale.receipt_no} has no line ${JSON.stringify(ref)}`, `结算 ${sale.receipt_no} 中没有明细 ${ref}`, `lines.${i}`);
      if (returned.has(line.id)) refuse('LINE_ALREADY_RETURNED', `line ${ref} (${line.name}) has already been returned`, `明细 ${line.name} 已退过`, `lines.${i}`);
      picked.set(line.id, line);
    });
    selected = remaining.filter((l) => picked.has(l.id));
  }
  return { sale, all, remaining, selected };
}

function paymentFrom(row: PaymentRow): RecordedPayment {
  return { due: row.due, received: row.received, change: row.change, methods: parseOrThrow(RecordedPaymentSchema.shape.methods, JSON.parse(row.methodsJson) as unknown, ['methods_json']) };
}

/** What a return would refund, per payment method, before it is confirmed (nothing is written). */
export function previewReturn(db: DB, settlementId: string, lineRefs: readonly string[] | null | undefined): { receiptNo: string; amount: string; lines: { lineId: string; name: string; quantity: string; patient: string }[]; refund: RecordedPayment | null } {
  const { sale, selected } = selectReturn(db, settlementId, lineRefs);
  const amount = sumOf(selected, (l) => l.patient_pay);
  return { receiptNo: sale.receipt_no, amount, lines: selected.map((l) => ({ lineId: l.id, name: l.name, quantity: l.quantity, patient: l.patient_pay })), refund: refundFor(db, sale.id, amount) };
}

function refundFor(db: DB, saleId: string, amount: string): RecordedPayment | null {
  const paid = paymentOf(db, saleId);
  return refundPlan(amount, paid ? paymentFrom(paid) : null, refundsOf(db, saleId).map(paymentFrom));
}

export function reverse(db: DB, input: ReverseInput, options: { now?: Date } = {}): SettlementRecord {
  const operator = parseOrThrow(OperatorSchema, input.operator, ['operator']);
  const reason = (input.reason ?? '').trim();
  if (!reason) refuse('REASON_REQUIRED', 'give a reason for the return', '请填写退费原因', 'reason');
  const now = options.now ?? new Date();
  const nowIso = now.toISOString();

  const id = db.transaction((): string => {
    if (input.requestId) {
      const existing = getSettlementByRequestId(db, input.requestId);
      if (existing) return existing.id;
    }
    const { sale, all, remaining, selected } = selectReturn(db, input.settlementId, input.lines);
    const keep = remaining.filter((l) => !selected.includes(l));
    const kind: SettlementRow['kind'] = keep.length === 0 ? 'reversal' : 'return';

    // Where the sale's chain stands on the platform decides what this record sends.
    const chain = recordsAgainst(db, sale.id);
    const previous = chain[chain.length - 1] ?? sale;
    const prevOut = getOutboxBySettlement(db, previous.id);
    if (!prevOut) throw new Error(`settlement ${previous.id} has no outbox row`);
    let dependsOn: string | null = prevOut.id;
    let undoOnPlatform = true;
    if (prevOut.status === 'pending' && prevOut.step === 0 && prevOut.maybe_delivered === 0) {
      // Never left the counter: cancel it locally and take over its place in the chain.
      updateOutbox(db, prevOut.id, { status: 'cancelled', last_error: `cancelled locally by ${kind} before upload`, updated_at: nowIso });
      dependsOn = prevOut.depends_on;
      undoOnPlatform = dependsOn !== null;
    } else if (prevOut.status === 'rejected' && previous.id === sale.id) {
      // The platform refused the sale, so it holds nothing to undo.
      if (keep.length > 0) {
        refuse('PARTIAL_RETURN_OF_REJECTED', `${sale.receipt_no} was refused by the platform; return it in full`, `${sale.receipt_no} 已被医保平台拒绝，只能整单退费`, 'lines');
      }
      undoOnPlatform = false;
    }
    const steps = reversalSteps(sale.institution_type, { reverse: undoOnPlatform, resettle: keep.length > 0 });

    const recordId = uuidv7();
    const receiptNo = nextReceiptNo(db, sale.settle_date, 'T');
    const lines: LineRow[] = selected.map((l, i) => ({
      ...l,
      id: uuidv7(),
      settlement_id: recordId,
      line_no: i + 1,
      feedetl_sn: `${receiptNo}${String(i + 1).padStart(3, '0')}`,
      quantity: negQty(l.quantity),
      total: neg(l.total),
      in_scope: neg(l.in_scope),
      fund: neg(l.fund),
      patient_pay: neg(l.patient_pay),
      reverses_line_id: l.id,
    }));
    const row: SettlementRow = {
      id: recordId,
      request_id: input.requestId ?? null,
      kind,
      original_id: sale.id,
      receipt_no: receiptNo,
      settle_date: sale.settle_date,
      settled_at: nowIso,
      institution_code: sale.institution_code,
      institution_name: sale.institution_name,
      institution_type: sale.institution_type,
      institution_level: sale.institution_level,
      psn_no: sale.psn_no,
      patient_json: sale.patient_json,
      operator_id: operator.id,
      operator_name: operator.name,
      policy_id: sale.policy_id,
      policy_version: sale.policy_version,
      total: sumOf(lines, (l) => l.total),
      in_scope: sumOf(lines, (l) => l.in_scope),
      fund: sumOf(lines, (l) => l.fund),
      patient_pay: sumOf(lines, (l) => l.patient_pay),
      request_json: JSON.stringify({ settlementId: sale.id, lines: input.lines ?? null, returned: selected.map((l) => l.id), kept: keep.map((l) => l.id) }),
      result_json: JSON.stringify({ steps }),
      reason,
      prev_hash: lastHash(db),
      hash: '',
    };
    row.hash = recordHash(row, lines);
    insertSettlement(db, row);
    for (const line of lines) insertLine(db, line);
    recordPoolUsage(db, { psnNo: sale.psn_no, date: sale.settle_date, amount: row.fund, settlementId: recordId });
    // The returned drugs came back: their days of supply no longer count for the supply ceiling
    // or the refill rule (a full return of a 30-day sale must not block the next sale).
    deleteCounterDispensing(db, sale.id, selected.map((l) => l.quote_line_id));
    // The patient's share goes back the way it was paid (recorded beside the journal, as the sale's payment is).
    const refund = refundFor(db, sale.id, neg(row.patient_pay));
    if (refund) insertPayment(db, { settlementId: recordId, due: refund.due, received: refund.received, change: refund.change, methodsJson: JSON.stringify(refund.methods), operatorId: operator.id, recordedAt: nowIso });
    enqueueRecord(db, { settlement: row, steps, dependsOn, status: 'pending', now });
    return recordId;
  })();
  return loadRecord(db, id)!;
}
