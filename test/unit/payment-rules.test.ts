// The payment rules on their own (core/sale/payment.ts): change only from cash, the personal
// account only where allowed, and a refund that goes back the way the money came.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPayment, payableMethods, refundPlan } from '../../core/sale/payment.ts';
import { Refusal } from '../../core/contract/problems.ts';

test('the personal account pays only for an employee where the region allows it', () => {
  assert.ok(payableMethods({ insurance: 'employee', personalAccount: true }).includes('account'));
  assert.ok(!payableMethods({ insurance: 'resident', personalAccount: true }).includes('account'));
  assert.ok(!payableMethods({ insurance: 'employee', personalAccount: false }).includes('account'));
});

test('change comes only from cash: 20 WeChat + 50 cash for 37.45 gives 32.55; 40 WeChat for 37.45 is refused', () => {
  const all = payableMethods({ insurance: 'employee', personalAccount: true });
  const p = checkPayment('37.45', { received: '70.00', methods: [{ method: 'wechat', amount: '20.00' }, { method: 'cash', amount: '50.00' }] }, all);
  assert.equal(p.change, '32.55');
  assert.throws(() => checkPayment('37.45', { received: '40.00', methods: [{ method: 'wechat', amount: '40.00' }] }, all), (e: unknown) => e instanceof Refusal && e.code === 'NON_CASH_OVER_DUE');
  assert.throws(() => checkPayment('37.45', { received: '37.44', methods: [{ method: 'cash', amount: '37.44' }] }, all), (e: unknown) => e instanceof Refusal && e.code === 'PAYMENT_SHORT');
});

test('a refund goes to the non-cash methods first, then cash net of the change; two returns never refund more than was paid', () => {
  const paid = { due: '37.45', received: '70.00', change: '32.55', methods: [{ method: 'wechat' as const, amount: '20.00' }, { method: 'cash' as const, amount: '50.00' }] };
  const first = refundPlan('25.00', paid, [])!;
  assert.deepEqual(first.methods, [{ method: 'wechat', amount: '-20.00' }, { method: 'cash', amount: '-5.00' }]);
  const second = refundPlan('12.45', paid, [first])!;
  assert.deepEqual(second.methods, [{ method: 'cash', amount: '-12.45' }], 'what is left: 17.45 cash less 5.00 already refunded');
  assert.equal(refundPlan('1.00', null, []), null, 'a host POS collected it: nothing to plan');
});
