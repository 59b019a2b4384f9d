// What the payment panel's fields mean as a settle body's `payment`: 实收 per method and 找零,
// in exact fen (never floats). Pure, so it is tested without a browser; the service checks the
// same rules again (core/sale/payment.ts).
import { Decimal, fen } from '../core/money/decimal.ts';
import { PAYMENT_METHOD_ZH, type PaymentInput, type PaymentMethod } from '../core/contract/payment.ts';

export interface PaymentDraft {
  method: PaymentMethod;
  /** Cash handed over (现金实收); empty: the exact amount. */
  tendered: string;
  /** 组合支付: a non-cash part, the rest in cash. */
  mixed: boolean;
  otherMethod: Exclude<PaymentMethod, 'cash'>;
  otherAmount: string;
}

export const EMPTY_DRAFT: PaymentDraft = { method: 'cash', tendered: '', mixed: false, otherMethod: 'wechat', otherAmount: '' };

const AMOUNT = /^\d{1,7}(\.\d{1,2})?$/;

export type DraftResult = { ok: true; payment: PaymentInput; change: string } | { ok: false; errorZh: string };

export function paymentFromDraft(d: PaymentDraft, due: string): DraftResult {
  const dueD = new Decimal(due);
  const bad = (zh: string): DraftResult => ({ ok: false, errorZh: zh });
  if (d.tendered !== '' && !AMOUNT.test(d.tendered)) return bad('实收金额格式不正确（如 50 或 50.00）');
  if (!d.mixed) {
    if (d.method !== 'cash') return { ok: true, payment: { received: fen(dueD), methods: [{ method: d.method, amount: fen(dueD) }] }, change: '0.00' };
    const cash = d.tendered === '' ? dueD : new Decimal(d.tendered);
    if (cash.lessThan(dueD)) return bad(`实收 ${fen(cash)} 元少于应收 ${fen(dueD)} 元`);
    return { ok: true, payment: { received: fen(cash), methods: [{ method: 'cash', amount: fen(cash) }] }, change: fen(cash.minus(dueD)) };
  }
  if (!AMOUNT.test(d.otherAmount)) return bad(`请填写${PAYMENT_METHOD_ZH[d.otherMethod]}支付金额`);
  const other = new Decimal(d.otherAmount);
  if (other.greaterThan(dueD)) return bad(`${PAYMENT_METHOD_ZH[d.otherMethod]}金额不能超过应收 ${fen(dueD)} 元`);
  const rest = dueD.minus(other);
  const cash = d.tendered === '' ? rest : new Decimal(d.tendered);
  if (cash.lessThan(rest)) return bad(`现金 ${fen(cash)} 元少于还需收取的 ${fen(rest)} 元`);
  const methods: PaymentInput['methods'] = [{ method: d.otherMethod, amount: fen(other) }];
  if (cash.greaterThan(0)) methods.push({ method: 'cash', amount: fen(cash) });
  return { ok: true, payment: { received: fen(other.plus(cash)), methods }, change: fen(cash.minus(rest)) };
}
