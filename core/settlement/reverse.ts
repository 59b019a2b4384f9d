// reverse(): a full reversal or a partial return is a NEW journal record with negative lines
// that point at the sale's lines. A line may go back in parts (two of three boxes, then the
// third); what each return gives back is computed from what is left (./partial-return.ts), so
// returns never exceed the sale and returned + left is always the sale's line to the fen.
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
  returnLinesAgainst,
  type LineRow,
  type SettlementRow,
} from '../store/journal.ts';
import { getOutboxBySettlement, updateOutbox } from '../store/outbox.ts';
import { counterDispensingDays, deleteCounterDispensing, setCounterDispensingDays } from '../store/supervision.ts';
import { catalogItemsByCodes } from '../store/catalog.ts';
import { packageQuantityProblem, packageSizeOf } from '../supervision/supply.ts';
import { leftOf, returnShare, type LineAmounts } from './partial-return.ts';
import { insertPayment, paymentOf, refundsOf, type PaymentRow } from '../store/payment.ts';
import { RecordedPaymentSchema, type RecordedPayment } from '../contract/payment.ts';
import { refundPlan } from '../sale/payment.ts';
import { enqueueRecord } from '../outbox/enqueue.ts';
import { reversalSteps } from '../outbox/steps.ts';
import { recordHash } from './hash.ts';
import { recordPoolUsage } from './ledger-bridge.ts';
import { OperatorSchema, type ReturnLineRef, type ReverseInput } from './contract.ts';
import { loadRecord, type SettlementRecord } from './view.ts';
import { parseOrThrow } from '../contract/problems.ts';

function refuse(code: string, en: string, zh: string, path = ''): never {
  throw new InputError(code, en, zh, [{ path, code, message: en, messageZh: zh }]);
}

function neg(v: string): string {
  return fen(new Decimal(v).negated());
}

function sumOf(lines: LineRow[], pick: (l: LineRow) => string): string {
  return fen(lines.reduce((a, l) => a.plus(new Decimal(pick(l))), new Decimal(0)));
}

export function matchLine(lines: LineRow[], ref: string): LineRow | undefined {
  return lines.find((l) => l.id === ref || l.feedetl_sn === ref || l.quote_line_id === ref || String(l.line_no) === ref);
}

/** One line of a return: the sale's line, what was left of it, and what this return gives back (positive). */
interface Taken {
  line: LineRow;
  left: LineAmounts;
  back: LineAmounts;
}

const QUANTITY = /^\d{1,7}(\.\d{1,4})?$/;

/** The quantity of a line a return may take: more than nothing, no more than is left, whole packages unless the item splits (拆零). */
function checkQuantity(db: DB, line: LineRow, left: LineAmounts, quantity: string, path: string): string {
  const unitOf = () => catalogItemsByCodes(db, [line.catalog_code]).get(line.catalog_code);
  if (!QUANTITY.test(quantity) || !new Decimal(quantity).greaterThan(0)) {
    refuse('BAD_RETURN_QUANTITY', `return quantity of ${line.name} must be a positive number, got ${JSON.stringify(quantity)}`, `${line.name}的退回数量须为大于零的数字（收到“${quantity}”）`, path);
  }
  const q = new Decimal(quantity);
  if (q.greaterThan(left.quantity)) {
    const unit = unitOf()?.package_unit || '盒';
    const sold = new Decimal(line.quantity);
    refuse(
      'RETURN_EXCEEDS_LEFT',
      `${line.name}: ${quantity} cannot be returned, ${left.quantity} of the ${line.quantity} sold is left to return`,
      new Decimal(left.quantity).equals(sold) ? `${line.name}最多可退 ${left.quantity}${unit}（共售出 ${line.quantity}${unit}）` : `${line.name}共售出 ${line.quantity}${unit}，已退 ${sold.minus(left.quantity).toString()}${unit}，最多还可退 ${left.quantity}${unit}`,
      path,
    );
  }
  // Everything that is left may always go back (the sale itself passed the package rule).
  if (!q.equals(left.quantity) && !q.isInteger()) {
    const item = unitOf();
    const problem = packageQuantityProblem(quantity, {
      name: line.name,
      splitPack: item?.split_pack ?? false,
      packageSize: item ? packageSizeOf(item.package_size, item.spec) : null,
      packageUnit: item?.package_unit ?? null,
      minUnit: item?.min_unit ?? null,
    });
    if (problem) refuse('RETURN_NOT_WHOLE_PACKAGES', `cannot return ${quantity} of ${line.name}: ${problem.message}`, `不能退回 ${quantity}：${problem.messageZh}`, path);
  }
  return q.toString();
}

/**
 * The sale and what a return takes back: every line with something left, in full, when none are
 * named; else the named lines, each in full or the quantity given. Refused: an unknown line, a
 * line named twice, a quantity above what is left, part packages of an item that does not split.
 */
function selectReturn(db: DB, settlementId: string, refs: readonly ReturnLineRef[] | null | undefined): { sale: SettlementRow; taken: Taken[]; keepsSome: boolean } {
  const sale = getSettlement(db, settlementId);
  if (!sale) refuse('SETTLEMENT_NOT_FOUND', `No settlement ${settlementId}`, `找不到结算记录 ${settlementId}`, 'settlementId');
  if (sale.kind !== 'sale') refuse('NOT_A_SALE', `${sale.receipt_no} is itself a return; reverse the original sale ${sale.original_id}`, `${sale.receipt_no} 是退费记录，请对原结算退费`, 'settlementId');
  const all = linesOf(db, sale.id);
  const returns = returnLinesAgainst(db, sale.id);
  const leftByLine = new Map(all.map((l) => [l.id, leftOf(l, returns.filter((r) => r.reverses_line_id === l.id))]));
  const hasLeft = (l: LineRow) => new Decimal(leftByLine.get(l.id)!.quantity).greaterThan(0);
  if (!all.some(hasLeft)) refuse('ALREADY_REVERSED', `${sale.receipt_no} has already been fully returned`, `${sale.receipt_no} 已全部退费`, 'settlementId');

  const taken: Taken[] = [];
  if (!refs || refs.length === 0) {
    for (const l of all.filter(hasLeft)) {
      const left = leftByLine.get(l.id)!;
      taken.push({ line: l, left, back: returnShare(l, left, left.quantity) });
    }
  } else {
    const seen = new Set<string>();
    refs.forEach((ref, i) => {
      const name = typeof ref === 'string' ? ref : ref.line;
      const line = matchLine(all, name);
      if (!line) refuse('UNKNOWN_LINE', `${sale.receipt_no} has no line ${JSON.stringify(name)}`, `结算 ${sale.receipt_no} 中没有明细 ${name}`, `lines.${i}`);
      if (seen.has(line.id)) refuse('DUPLICATE_LINE', `line ${name} (${line.name}) is named twice`, `明细 ${line.name} 重复选择`, `lines.${i}`);
      seen.add(line.id);
      const left = leftByLine.get(line.id)!;
      if (!hasLeft(line)) refuse('LINE_ALREADY_RETURNED', `line ${name} (${line.name}) has already been returned`, `明细 ${line.name} 已全部退过`, `lines.${i}`);
      const quantity = typeof ref === 'string' || ref.quantity === undefined ? left.quantity : checkQuantity(db, line, left, ref.quantity, `lines.${i}.quantity`);
      taken.push({ line, left, back: returnShare(line, left, quantity) });
    });
    taken.sort((a, b) => a.line.line_no - b.line.line_no);
  }
  const keepsSome = all.some((l) => {
    const t = taken.find((x) => x.line.id === l.id);
    return new Decimal(leftByLine.get(l.id)!.quantity).minus(t ? t.back.quantity : '0').greaterThan(0);
  });
  return { sale, taken, keepsSome };
}

function paymentFrom(row: PaymentRow): RecordedPayment {
  return { due: row.due, received: row.received, change: row.change, methods: parseOrThrow(RecordedPaymentSchema.shape.methods, JSON.parse(row.methodsJson) as unknown, ['methods_json']) };
}

export interface ReturnPreview {
  receiptNo: string;
  /** The patient's share given back. */
  amount: string;
  /** The fund's share given back to the pool. */
  fund: string;
  total: string;
  lines: { lineId: string; name: string; quantity: string; left: string; total: string; fund: string; patient: string }[];
  refund: RecordedPayment | null;
}

/** What a return would refund, per line and per payment method, before it is confirmed (nothing is written). */
export function previewReturn(db: DB, settlementId: string, lineRefs: readonly ReturnLineRef[] | null | undefined): ReturnPreview {
  const { sale, taken } = selectReturn(db, settlementId, lineRefs);
  const sum = (pick: (b: LineAmounts) => string) => fen(taken.reduce((a, t) => a.plus(pick(t.back)), new Decimal(0)));
  const amount = sum((b) => b.patient_pay);
  return {
    receiptNo: sale.receipt_no,
    amount,
    fund: sum((b) => b.fund),
    total: sum((b) => b.total),
    lines: taken.map((t) => ({ lineId: t.line.id, name: t.line.name, quantity: t.back.quantity, left: new Decimal(t.left.quantity).minus(t.back.quantity).toString(), total: t.back.total, fund: t.back.fund, patient: t.back.patient_pay })),
    refund: refundFor(db, sale.id, amount),
  };
}

function refundFor(db: DB, saleId: string, amount: string): RecordedPayment | null {
  const paid = paymentOf(db, saleId);
  return refundPlan(amount, paid ? paymentFrom(paid) : null, refundsOf(db, saleId).map(paymentFrom));
}

/**
 * The supply and refill rules count what the patient still has: a line returned in full leaves
 * the dispensing history; one returned in part keeps the days of what was kept (rounded up, so
 * the ceiling is never loosened by more than the returned boxes).
 */
function releaseSupply(db: DB, saleId: string, taken: Taken[]): void {
  const gone = taken.filter((t) => new Decimal(t.left.quantity).equals(t.back.quantity));
  if (gone.length > 0) deleteCounterDispensing(db, saleId, gone.map((t) => t.line.quote_line_id));
  for (const t of taken) {
    if (gone.includes(t)) continue;
    const days = counterDispensingDays(db, saleId, t.line.quote_line_id);
    if (days === null) continue;
    const keep = new Decimal(t.left.quantity).minus(t.back.quantity);
    setCounterDispensingDays(db, saleId, t.line.quote_line_id, new Decimal(days).times(keep).dividedBy(t.left.quantity).ceil().toNumber());
  }
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
    const { sale, taken, keepsSome } = selectReturn(db, input.settlementId, input.lines);
    const kind: SettlementRow['kind'] = keepsSome ? 'return' : 'reversal';

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
      if (keepsSome) {
        refuse('PARTIAL_RETURN_OF_REJECTED', `${sale.receipt_no} was refused by the platform; return it in full`, `${sale.receipt_no} 已被医保平台拒绝，只能整单退费`, 'lines');
      }
      undoOnPlatform = false;
    }
    const steps = reversalSteps(sale.institution_type, { reverse: undoOnPlatform, resettle: keepsSome });

    const recordId = uuidv7();
    const receiptNo = nextReceiptNo(db, sale.settle_date, 'T');
    // Each return line is what goes back of one sale line, negative (core/settlement/partial-return.ts).
    const lines: LineRow[] = taken.map(({ line: l, back }, i) => ({
      ...l,
      id: uuidv7(),
      settlement_id: recordId,
      line_no: i + 1,
      feedetl_sn: `${receiptNo}${String(i + 1).padStart(3, '0')}`,
      quantity: new Decimal(back.quantity).negated().toString(),
      total: neg(back.total),
      in_scope: neg(back.in_scope),
      fund: neg(back.fund),
      patient_pay: neg(back.patient_pay),
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
      request_json: JSON.stringify({ settlementId: sale.id, lines: input.lines ?? null, returned: taken.map((t) => ({ line: t.line.id, quantity: t.back.quantity })), keepsSome }),
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
    releaseSupply(db, sale.id, taken);
    // The patient's share goes back the way it was paid (recorded beside the journal, as the sale's payment is).
    const refund = refundFor(db, sale.id, neg(row.patient_pay));
    if (refund) insertPayment(db, { settlementId: recordId, due: refund.due, received: refund.received, change: refund.change, methodsJson: JSON.stringify(refund.methods), operatorId: operator.id, recordedAt: nowIso });
    enqueueRecord(db, { settlement: row, steps, dependsOn, status: 'pending', now });
    return recordId;
  })();
  return loadRecord(db, id)!;
}
