// The sale as one forward pipeline, used by every caller (the screen and the plugin API through
// CounterService, Electron IPC through the same service, the CLI, the tests):
//   loadSaleContext(db, input)  reads everything once            (./context.ts)
//   price(ctx, book)            pure: policy engine + supervision (./price.ts)
//   commitSale(db, facts, …)    one synchronous transaction      (./commit.ts)
//   readSettlement(db, id)      the one read model, zod on read  (./read.ts)
import type { DispensedEntry } from '../contract/dispensing.ts';
import { createHash } from 'node:crypto';
import { Refusal } from '../contract/problems.ts';
import type { Institution } from '../contract/institution.ts';
import type { SaleInput } from '../contract/sale.ts';
import type { PolicyBook } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { settlementForRequest } from '../store/journal.ts';
import { loadSaleContext, type SaleContextOptions } from './context.ts';
import { assertSettleable, price, type PricedSale } from './price.ts';
import { commitSale, type CommitOptions } from './commit.ts';
import { checkPayment, payableMethods } from './payment.ts';
import type { PaymentInput } from '../contract/payment.ts';

export { loadSaleContext, type SaleContext, type SaleContextOptions } from './context.ts';
export { price, assertSettleable, paymentStandardFor, type PricedSale, type PricedLine, type SaleFacts, type SupervisedLine } from './price.ts';
export { commitSale, type CommitOptions } from './commit.ts';
export { checkPayment, payableMethods, refundPlan } from './payment.ts';
export { readSettlement, OUTBOX_STATUS_ZH, type SettlementReadModel, type SettlementRecord } from './read.ts';

/** The hash of what a sale asks for (patient, date as given, lines, prescription), keys sorted: binds an idempotency key to its content. */
export function saleRequestHash(body: Record<string, unknown>): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256').update(JSON.stringify(canon(body))).digest('hex');
}

/** Loads and prices a sale (a quote): reads once, writes nothing. */
export function quoteSale(db: DB, book: PolicyBook, input: SaleInput, options: SaleContextOptions = {}): PricedSale {
  return price(loadSaleContext(db, book, input, options), book);
}

export interface SettleOptions extends Omit<CommitOptions, 'requestHash' | 'payment'> {
  requestHash: string | null;
  institution?: Institution;
  /** Other institutions' dispensing from 5205 (the refill rule counts it). */
  platformDispensing?: readonly DispensedEntry[];
  /** The group's figure for the patient's year (core/hub), when the hub answered. */
  groupUsed?: string;
  /** What was collected for the patient's share; checked against it before anything is written. */
  payment?: PaymentInput | null;
  /** The sale as the caller has already priced it (with the hub's figure), so it is not priced again. */
  priced?: PricedSale;
}

/** The methods that may pay a priced sale's patient share (the personal account: employees, where the region's policy allows). */
export function salePayableMethods(book: PolicyBook, priced: PricedSale) {
  const { version } = book.resolve(priced.request.policy, priced.request.date);
  return payableMethods({ insurance: priced.request.patient.insurance, personalAccount: version.personalAccount?.allowed ?? false });
}

/**
 * Settles a sale through the whole pipeline. The same requestId with the same content returns the
 * settlement already made (nothing priced or written again); with other content it is refused.
 */
export function settleSale(db: DB, book: PolicyBook, input: SaleInput, o: SettleOptions): { id: string; replayed: boolean } {
  if (o.requestId) {
    const already = settlementForRequest(db, o.requestId);
    if (already) {
      if (already.requestHash !== null && o.requestHash !== null && already.requestHash !== o.requestHash) {
        const en = `requestId ${o.requestId} was already used for a different sale; use a new requestId for a new sale`;
        const zh = `请求编号 ${o.requestId} 已用于另一笔结算，新的结算请使用新的请求编号`;
        throw new Refusal('IDEMPOTENCY_CONFLICT', en, zh, [{ path: 'requestId', code: 'IDEMPOTENCY_CONFLICT', message: en, messageZh: zh }]);
      }
      return { id: already.id, replayed: true };
    }
  }
  const priced = o.priced ?? price(loadSaleContext(db, book, input, { institution: o.institution, platformDispensing: o.platformDispensing, ...(o.groupUsed !== undefined ? { groupUsed: o.groupUsed } : {}) }), book);
  assertSettleable(priced);
  const payment = o.payment ? checkPayment(priced.result.patient, o.payment, salePayableMethods(book, priced)) : null;
  return { id: commitSale(db, priced.facts, { ...o, payment }), replayed: false };
}
