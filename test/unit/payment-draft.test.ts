// The payment panel's fields as a settle body's payment: exact cash, change, non-cash exact, mixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_DRAFT, paymentFromDraft } from '../../renderer/paymentDraft.ts';

test('cash: empty 实收 is the exact amount; 100 for 37.45 gives 62.55 change; short is refused', () => {
  assert.deepEqual(paymentFromDraft(EMPTY_DRAFT, '37.45'), { ok: true, payment: { received: '37.45', methods: [{ method: 'cash', amount: '37.45' }] }, change: '0.00' });
  const r = paymentFromDraft({ ...EMPTY_DRAFT, tendered: '100' }, '37.45');
  assert.equal(r.ok && r.change, '62.55');
  assert.equal(paymentFromDraft({ ...EMPTY_DRAFT, tendered: '30' }, '37.45').ok, false);
  assert.equal(paymentFromDraft({ ...EMPTY_DRAFT, tendered: '3e1' }, '37.45').ok, false);
});

test('a non-cash method takes the exact amount; mixed: the non-cash part plus cash with change', () => {
  const w = paymentFromDraft({ ...EMPTY_DRAFT, method: 'alipay', tendered: '100' }, '12.30');
  assert.deepEqual(w.ok && w.payment, { received: '12.30', methods: [{ method: 'alipay', amount: '12.30' }] });
  const m = paymentFromDraft({ ...EMPTY_DRAFT, mixed: true, otherMethod: 'card', otherAmount: '10', tendered: '5' }, '12.30');
  assert.deepEqual(m.ok && m.payment, { received: '15.00', methods: [{ method: 'card', amount: '10.00' }, { method: 'cash', amount: '5.00' }] });
  assert.equal(m.ok && m.change, '2.70');
  assert.equal(paymentFromDraft({ ...EMPTY_DRAFT, mixed: true, otherAmount: '20' }, '12.30').ok, false, 'non-cash over the due');
  assert.equal(paymentFromDraft({ ...EMPTY_DRAFT, mixed: true, otherAmount: '10', tendered: '1' }, '12.30').ok, false, 'cash short of the rest');
});
