// Payment (应收/实收/找零, methods, mixed), 挂单/取单 and the shift statement through the counter
// service on real SQLite files; migrations 105 (settlement_payment) and 106 (held_sale).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture, type RegionId } from '../../core/app/fixture.ts';

const NOW = new Date('2026-03-10T02:00:00Z');

function open(region: RegionId, dir = mkdtempSync(join(tmpdir(), 'lbc-pay-'))) {
  const db = openDatabase(dir);
  seedFixture(db, region);
  return { dir, db, s: new CounterService({ db, now: () => NOW }) };
}
const signIn = async (s: CounterService, id = 'yaoshi', pin = '1234') => (await s.call('signIn', { operatorId: id, pin })).session;
const count = (db: ReturnType<typeof openDatabase>, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const lincang = (quantity = '3') => ({ patient: FIXTURE_REGIONS.lincang.eligible, lines: [{ code: drugBarcode(3), quantity }] });

test('migrations 105 and 106 add the payment and held-sale tables to a database stopped before them; a payment belongs to a settlement and refuses UPDATE and DELETE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-m105-'));
  const before = openDatabase(dir, { targetVersion: 104 });
  assert.equal((before.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('settlement_payment', 'held_sale')`).get() as { n: number }).n, 0);
  before.close();
  const db = openDatabase(dir);
  assert.equal((db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('settlement_payment', 'held_sale')`).get() as { n: number }).n, 2);
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 106);
  assert.throws(() => db.prepare(`INSERT INTO settlement_payment (settlement_id, due, received, change_given, methods_json, operator_id, recorded_at) VALUES ('x', '1.00', '1.00', '0.00', '[]', 'o', 't')`).run(), /FOREIGN KEY/, 'a payment belongs to a settlement');
  db.pragma('foreign_keys = OFF');
  db.prepare(`INSERT INTO settlement_payment (settlement_id, due, received, change_given, methods_json, operator_id, recorded_at) VALUES ('x2', '1.00', '1.00', '0.00', '[]', 'o', 't')`).run();
  assert.throws(() => db.prepare(`UPDATE settlement_payment SET received = '9.00'`).run(), /immutable/);
  assert.throws(() => db.prepare(`DELETE FROM settlement_payment`).run(), /never deleted/);
  db.close();
});

test('cash with change: 应收 is the patient share, 实收 and 找零 are recorded with the settlement and printed', async () => {
  const { db, s } = open('lincang');
  const sess = await signIn(s);
  const q = await s.call('quote', lincang());
  assert.deepEqual(q.payableWith, ['cash', 'wechat', 'alipay', 'card'], 'a resident has no personal account to pay from');
  const received = (Math.ceil(Number(q.patientPays) / 10) * 10 + 10).toFixed(2);
  const sale = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), ...lincang(), payment: { received, methods: [{ method: 'cash', amount: received }] } });
  assert.equal(sale.payment?.due, q.patientPays);
  assert.equal(sale.payment?.received, received);
  assert.equal(Number(sale.payment!.change) * 100, Math.round(Number(received) * 100 - Number(q.patientPays) * 100));
  const printed = await s.call('print', { session: sess, document: 'receipt', settlementId: sale.id, layout: '80mm' });
  assert.match(printed.html, /实收/);
  assert.match(printed.html, new RegExp(`找零</td><td class="num">${sale.payment!.change} 元`));
  assert.match(printed.html, /现金/);
  assert.equal(count(db, 'settlement_payment'), 1);
});

test('mixed payment: the methods must add up to 实收; non-cash is exact; short payment and a second equal method are refused; nothing is written', async () => {
  const { db, s } = open('lincang');
  const sess = await signIn(s);
  const due = (await s.call('quote', lincang())).patientPays;
  const half = (Number(due) / 2).toFixed(2);
  const rest = (Math.round(Number(due) * 100) - Math.round(Number(half) * 100)) / 100;
  const body = (payment: unknown) => ({ session: sess, requestId: crypto.randomUUID(), ...lincang(), payment });
  const refused = async (payment: unknown, code: RegExp) => assert.rejects(s.call('settle', body(payment)), (e: unknown) => e instanceof InputError && (code.test(e.code) || e.problems.some((p) => code.test(p.message))));
  await refused({ received: due, methods: [{ method: 'cash', amount: half }] }, /add up/);
  await refused({ received: '0.01', methods: [{ method: 'cash', amount: '0.01' }] }, /PAYMENT_SHORT/);
  const over = (Number(due) + 5).toFixed(2);
  await refused({ received: over, methods: [{ method: 'wechat', amount: over }] }, /NON_CASH_OVER_DUE/);
  await refused({ received: due, methods: [{ method: 'account', amount: due }] }, /PAYMENT_METHOD_NOT_ALLOWED/);
  await refused({ received: due, methods: [{ method: 'cash', amount: half }, { method: 'cash', amount: rest.toFixed(2) }] }, /twice/);
  await refused({ received: '2000000.00', methods: [{ method: 'cash', amount: '2000000.00' }] }, /at most/);
  await refused({ received: due, methods: [{ method: 'cash', amount: due }], tip: '1' }, /unknown field/);
  assert.equal(count(db, 'settlement'), 0, 'a refused payment writes no settlement');
  const cash = (Number(rest) + 10).toFixed(2);
  const received = (Number(half) + Number(cash)).toFixed(2);
  const sale = await s.call('settle', body({ received, methods: [{ method: 'wechat', amount: half }, { method: 'cash', amount: cash }] }));
  assert.deepEqual(sale.payment?.methods.map((m) => [m.methodZh, m.amount]), [['微信', half], ['现金', cash]]);
  assert.equal(sale.payment?.change, '10.00');
});

test('an employee in a region that lets the personal account pay may use 医保个人账户', async () => {
  const { s } = open('ezhou');
  const sess = await signIn(s);
  const sale0 = { patient: FIXTURE_REGIONS.ezhou.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] };
  const q = await s.call('quote', sale0);
  assert.ok(q.payableWith.includes('account'));
  const sale = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), ...sale0, payment: { received: q.patientPays, methods: [{ method: 'account', amount: q.patientPays }] } });
  assert.equal(sale.payment?.methods[0]?.methodZh, '医保个人账户');
});

test('a return refunds per payment method (non-cash first, cash last), shown before it is confirmed and on the voucher', async () => {
  const { s } = open('lincang');
  const sess = await signIn(s);
  const lines = [{ code: drugBarcode(3), quantity: '2' }, { code: drugBarcode(1), quantity: '1' }];
  const due = (await s.call('quote', { patient: FIXTURE_REGIONS.lincang.eligible, lines })).patientPays;
  const wechat = '1.00';
  const cash = ((Math.round(Number(due) * 100) - 100) / 100 + 20).toFixed(2);
  const received = (Number(cash) + 1).toFixed(2);
  const sale = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient: FIXTURE_REGIONS.lincang.eligible, lines, payment: { received, methods: [{ method: 'wechat', amount: wechat }, { method: 'cash', amount: cash }] } });
  const first = sale.lines[0]!;
  const preview = await s.call('returnPreview', { settlementId: sale.id, lines: [first.lineId] });
  assert.equal(preview.amount, first.patient);
  const refundTotal = preview.refund!.methods.reduce((a, m) => a - Math.round(Number(m.amount) * 100), 0);
  assert.equal(refundTotal, Math.round(Number(first.patient) * 100), 'the refund per method adds up to the patient share returned');
  assert.equal(preview.refund!.methods[0]!.method, 'wechat', 'non-cash first');
  const ret = await s.call('reverse', { session: sess, settlementId: sale.id, lines: [first.lineId], reason: '药品破损' });
  assert.deepEqual(ret.payment?.methods.map((m) => m.amount), preview.refund!.methods.map((m) => m.amount), 'what was confirmed is what was recorded');
  const voucher = await s.call('print', { session: sess, document: 'receipt', settlementId: ret.id, layout: '80mm' });
  assert.match(voucher.html, /退费凭证/);
  assert.match(voucher.html, /退款方式/);
  assert.match(voucher.html, /药品破损/);
  // The rest: what is left of the WeChat (nothing) and the cash.
  const rest = await s.call('returnPreview', { settlementId: sale.id });
  assert.ok(rest.refund!.methods.every((m) => m.method === 'cash'));
});

test('held sales survive a restart, several at once; recalling takes one out once; settling it twice with its requestId settles once', async () => {
  const a = open('lincang');
  const sess = await signIn(a.s);
  const r1 = crypto.randomUUID();
  const h1 = await a.s.call('holdSale', { session: sess, requestId: r1, label: '张** 缬沙坦', sale: lincang('2') });
  await a.s.call('holdSale', { session: sess, requestId: crypto.randomUUID(), label: '李** 氨氯地平', sale: lincang('1') });
  a.db.close();
  const b = open('lincang', a.dir);
  const sess2 = await signIn(b.s);
  const list = await b.s.call('heldSales', {});
  assert.deepEqual(list.items.map((i) => i.label), ['张** 缬沙坦', '李** 氨氯地平']);
  const got = await b.s.call('recallSale', { session: sess2, id: h1.id });
  assert.equal(got.requestId, r1);
  assert.equal(got.sale.lines[0]!.quantity, '2');
  await assert.rejects(b.s.call('recallSale', { session: sess2, id: h1.id }), (e: unknown) => e instanceof InputError && e.code === 'HELD_SALE_GONE');
  assert.equal((await b.s.call('heldSales', {})).items.length, 1);
  const x = await b.s.call('settle', { session: sess2, requestId: got.requestId, ...got.sale });
  const y = await b.s.call('settle', { session: sess2, requestId: got.requestId, ...got.sale });
  assert.equal(y.id, x.id);
  assert.equal(count(b.db, 'settlement'), 1);
});

test('the shift statement counts the operator\'s sales and returns by method and the cash expected in the drawer; it prints with 交班人/接班人', async () => {
  const { s } = open('lincang');
  const sess = await signIn(s);
  const clerk = await signIn(s, 'shoufei', '5678');
  const due = (await s.call('quote', lincang())).patientPays;
  const cashIn = (Number(due) + 50).toFixed(2);
  const a = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), ...lincang(), payment: { received: cashIn, methods: [{ method: 'cash', amount: cashIn }] } });
  await s.call('settle', { session: sess, requestId: crypto.randomUUID(), ...lincang(), payment: { received: due, methods: [{ method: 'alipay', amount: due }] } });
  await s.call('settle', { session: clerk, requestId: crypto.randomUUID(), ...lincang(), payment: { received: due, methods: [{ method: 'cash', amount: due }] } });
  await s.call('reverse', { session: sess, settlementId: a.id, reason: '患者退药' });
  const st = await s.call('shiftStatement', { session: sess });
  assert.equal(st.sales.count, 2, 'only this operator\'s sales');
  assert.equal(st.returns.count, 1);
  const cash = st.byMethod.find((m) => m.method === 'cash')!;
  assert.equal(cash.received, due, 'cash in, less the change');
  assert.equal(cash.refunded, due);
  assert.equal(st.cashExpected, '0.00');
  assert.equal(st.byMethod.find((m) => m.method === 'alipay')!.net, due);
  assert.match(st.html, /交班人/);
  assert.match(st.html, /接班人/);
});
