// 交班: one operator's settlement records over a shift — sales, returns, what each payment method
// took in and paid back, and the cash the drawer should hold (cash received, less change, less
// cash refunds). Read from the journal and the payment table; nothing is written.
import { PAYMENT_METHODS, PAYMENT_METHOD_ZH, RecordedPaymentSchema, type PaymentMethod } from '../contract/payment.ts';
import { parseOrThrow } from '../contract/problems.ts';
import { Decimal, fen } from '../money/decimal.ts';
import type { DB } from '../store/db.ts';
import { operatorRecords } from '../store/payment.ts';

export interface ShiftStatement {
  operatorId: string;
  from: string;
  to: string;
  sales: { count: number; total: string; fund: string; patient: string };
  returns: { count: number; total: string; fund: string; patient: string };
  byMethod: { method: PaymentMethod; methodZh: string; received: string; refunded: string; net: string }[];
  cashExpected: string;
  unrecorded: number;
}

export function shiftStatement(db: DB, operatorId: string, from: string, to: string): ShiftStatement {
  const rows = operatorRecords(db, operatorId, from, to);
  const z = () => new Decimal(0);
  const sales = { count: 0, total: z(), fund: z(), patient: z() };
  const returns = { count: 0, total: z(), fund: z(), patient: z() };
  const received = new Map<PaymentMethod, Decimal>();
  const refunded = new Map<PaymentMethod, Decimal>();
  let change = z();
  let unrecorded = 0;
  for (const r of rows) {
    const acc = r.kind === 'sale' ? sales : returns;
    acc.count += 1;
    acc.total = acc.total.plus(r.total);
    acc.fund = acc.fund.plus(r.fund);
    acc.patient = acc.patient.plus(r.patientPay);
    if (r.methodsJson === null) {
      unrecorded += 1;
      continue;
    }
    const methods = parseOrThrow(RecordedPaymentSchema.shape.methods, JSON.parse(r.methodsJson) as unknown, ['methods_json']);
    for (const m of methods) {
      const into = r.kind === 'sale' ? received : refunded;
      into.set(m.method, (into.get(m.method) ?? z()).plus(new Decimal(m.amount).abs()));
    }
    if (r.kind === 'sale' && r.change) change = change.plus(r.change);
  }
  const byMethod = PAYMENT_METHODS.filter((m) => received.has(m) || refunded.has(m)).map((m) => {
    const inn = m === 'cash' ? (received.get(m) ?? z()).minus(change) : (received.get(m) ?? z());
    const out = refunded.get(m) ?? z();
    return { method: m, methodZh: PAYMENT_METHOD_ZH[m], received: fen(inn), refunded: fen(out), net: fen(inn.minus(out)) };
  });
  const cash = byMethod.find((m) => m.method === 'cash');
  const money = (a: typeof sales) => ({ count: a.count, total: fen(a.total.abs()), fund: fen(a.fund.abs()), patient: fen(a.patient.abs()) });
  return { operatorId, from, to, sales: money(sales), returns: money(returns), byMethod, cashExpected: cash ? cash.net : '0.00', unrecorded };
}
