// The patient's share against what was collected: 应收 (due), 实收 (received), 找零 (change).
// Only cash gives change, so the non-cash methods together never exceed what is due (a WeChat,
// Alipay, card or personal-account payment is taken for the exact amount); 医保个人账户 only for
// an employee where the region's policy lets the account pay the patient's share. A refund goes
// back the way the money came: the non-cash methods first (each up to what it paid), cash last.
import { Refusal } from '../contract/problems.ts';
import { PAYMENT_METHODS, PAYMENT_METHOD_ZH, type PaymentInput, type PaymentMethod, type RecordedPayment } from '../contract/payment.ts';
import { Decimal, fen } from '../money/decimal.ts';

function refuse(code: string, en: string, zh: string, path: string): never {
  throw new Refusal(code, en, zh, [{ path: `payment.${path}`, code, message: en, messageZh: zh }]);
}

/** Which methods may pay this patient's share. */
export function payableMethods(o: { insurance: 'resident' | 'employee'; personalAccount: boolean }): PaymentMethod[] {
  return PAYMENT_METHODS.filter((m) => m !== 'account' || (o.insurance === 'employee' && o.personalAccount));
}

/** Checks a payment against the amount due; returns it as recorded (with the change). */
export function checkPayment(due: string, p: PaymentInput, allowed: readonly PaymentMethod[]): RecordedPayment {
  p.methods.forEach((m, i) => {
    if (!allowed.includes(m.method)) {
      refuse('PAYMENT_METHOD_NOT_ALLOWED', `${m.method} cannot pay this sale (the personal account pays only for employees where the region allows it)`, `${PAYMENT_METHOD_ZH[m.method]}不能用于本笔（仅职工医保且本地区允许时可用个人账户支付）`, `methods.${i}.method`);
    }
  });
  const dueD = new Decimal(due);
  const received = new Decimal(p.received);
  if (received.lessThan(dueD)) refuse('PAYMENT_SHORT', `received ${p.received} is less than the ${due} due`, `实收 ${p.received} 元少于应收 ${due} 元`, 'received');
  const nonCash = p.methods.filter((m) => m.method !== 'cash').reduce((a, m) => a.plus(m.amount), new Decimal(0));
  if (nonCash.greaterThan(dueD)) {
    refuse('NON_CASH_OVER_DUE', `non-cash methods take the exact amount: ${fen(nonCash)} is more than the ${due} due`, `微信、支付宝、银行卡和个人账户须按应收金额收取，不能找零：合计 ${fen(nonCash)} 元超过应收 ${due} 元`, 'methods');
  }
  return { due: fen(dueD), received: fen(received), change: fen(received.minus(dueD)), methods: p.methods.map((m) => ({ method: m.method, amount: fen(new Decimal(m.amount)) })) };
}

/**
 * How a refund of `amount` goes back, given the sale's payment and what earlier returns of it
 * already refunded (negative amounts per method): non-cash first, cash last. Null when the sale
 * recorded no payment (a host POS collected it and refunds it itself).
 */
export function refundPlan(amount: string, paid: RecordedPayment | null, earlier: RecordedPayment[]): RecordedPayment | null {
  if (!paid) return null;
  const left = new Map<PaymentMethod, Decimal>();
  for (const m of paid.methods) left.set(m.method, new Decimal(m.amount));
  // The change handed back came out of the cash.
  if (left.has('cash')) left.set('cash', left.get('cash')!.minus(paid.change));
  for (const r of earlier) for (const m of r.methods) left.set(m.method, (left.get(m.method) ?? new Decimal(0)).plus(m.amount));
  let rest = new Decimal(amount);
  const order: PaymentMethod[] = ['account', 'card', 'wechat', 'alipay', 'cash'];
  const methods: RecordedPayment['methods'] = [];
  for (const method of order) {
    const avail = left.get(method);
    if (!avail || rest.lessThanOrEqualTo(0) || avail.lessThanOrEqualTo(0)) continue;
    const take = Decimal.min(avail, rest);
    methods.push({ method, amount: fen(take.negated()) });
    rest = rest.minus(take);
  }
  // Anything not covered (should not happen: a return never exceeds what was paid) is refunded in cash.
  if (rest.greaterThan(0)) {
    const cash = methods.find((m) => m.method === 'cash');
    if (cash) cash.amount = fen(new Decimal(cash.amount).minus(rest));
    else methods.push({ method: 'cash', amount: fen(rest.negated()) });
  }
  const total = fen(new Decimal(amount).negated());
  return { due: total, received: total, change: '0.00', methods };
}
