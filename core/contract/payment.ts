// How the patient paid their share (应收): the methods a Chinese pharmacy counter takes, what was
// received (实收) and the change (找零). Bounded like every amount (AMOUNT_LIMITS.saleTotal); the
// checks that need the sale's due amount are in core/sale/payment.ts.
import { z } from 'zod';
import { AMOUNT_LIMITS, money } from './fields.ts';
import { Decimal, fen } from '../money/decimal.ts';

export const PAYMENT_METHODS = ['cash', 'wechat', 'alipay', 'card', 'account'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_METHOD_ZH: Record<PaymentMethod, string> = { cash: '现金', wechat: '微信', alipay: '支付宝', card: '银行卡', account: '医保个人账户' };

const amount = (what: string, whatZh: string) => money(what, whatZh, AMOUNT_LIMITS.saleTotal);

/** The settle body's optional `payment`: what the counter (or the host POS) collected. */
export const PaymentSchema = z
  .strictObject({
    /** 实收: everything handed over, cash before change included. */
    received: amount('payment.received', '实收'),
    methods: z
      .array(z.strictObject({ method: z.enum(PAYMENT_METHODS), amount: amount('payment.methods.amount', '支付金额') }))
      .min(1, { message: 'give at least one payment method' })
      .max(PAYMENT_METHODS.length),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.methods.forEach((m, i) => {
      if (seen.has(m.method)) ctx.addIssue({ code: 'custom', path: ['methods', i, 'method'], message: `${m.method} is given twice`, params: { zh: `${PAYMENT_METHOD_ZH[m.method]}重复` } });
      seen.add(m.method);
    });
    const sum = p.methods.reduce((a, m) => a.plus(m.amount), new Decimal(0));
    if (!sum.equals(p.received)) {
      ctx.addIssue({ code: 'custom', path: ['received'], message: `the methods add up to ${fen(sum)}, not the received ${p.received}`, params: { zh: `各支付方式合计 ${fen(sum)} 元，与实收 ${p.received} 元不符` } });
    }
  });
export type PaymentInput = z.output<typeof PaymentSchema>;

/** A recorded payment (a sale) or refund (a return, negative amounts), as stored and shown. */
export const RecordedPaymentSchema = z.object({
  due: z.string(),
  received: z.string(),
  change: z.string(),
  methods: z.array(z.object({ method: z.enum(PAYMENT_METHODS), amount: z.string() })),
});
export type RecordedPayment = z.output<typeof RecordedPaymentSchema>;
