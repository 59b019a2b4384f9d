// Returning part of a line (issue 12 item 4) through the counter service on a real SQLite file,
// uploaded to the simulator over loopback: the refund is exact per line and per payment method,
// the pool gets back exactly the fund part, repeated returns stop at what was sold, the supply
// rule keeps the days of what was kept, the sale is never edited, and the platform (which has
// no per-line refund: 2208/2103 undo a whole settlement, platform-fields.md) gets the sale undone
// and what the patient kept settled again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { FIXTURE_REGIONS, drugBarcode, drugCode, seedFixture } from '../../core/app/fixture.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement, listVariances, messagesOf } from '../../core/store/outbox.ts';
import { standingSettlements } from '../../core/store/simulator.ts';
import { usedThisYear } from '../../core/store/ledger.ts';
import { linesOf, getSettlement } from '../../core/store/journal.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';
import { Decimal, fen } from '../../core/money/decimal.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const DATE = '2026-03-10';
const L = FIXTURE_REGIONS.lincang;
const D = (v: string) => new Decimal(v);
const add = (...xs: string[]) => fen(xs.reduce((a, x) => a.plus(D(x)), D('0')));

function open() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-partial-return-')));
  seedFixture(db, 'lincang');
  return { db, s: new CounterService({ db, now: () => NOW }) };
}
const signIn = async (s: CounterService) => (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
const refused = (code: string, zh?: RegExp) => (e: unknown) => e instanceof InputError && e.code === code && (!zh || zh.test(e.messageZh));
const days = (db: DB, settlementId: string) => db.prepare(`SELECT line_ref, days FROM dispensing WHERE settlement_id = ? AND source = 'counter' ORDER BY line_ref`).all(settlementId) as { line_ref: string; days: number }[];

/** 3 boxes of 缬沙坦 (over the payment standard) and 2 of 氨氯地平, 30 days, paid by WeChat and cash. */
async function sale(s: CounterService, session: string) {
  const lines = [{ code: drugBarcode(3), quantity: '3', days: 30 }, { code: drugBarcode(1), quantity: '2', days: 30 }];
  const due = (await s.call('quote', { patient: L.eligible, date: DATE, lines })).patientPays;
  const wechat = '5.00';
  const cash = fen(D(due).minus(wechat).plus('10'));
  return s.call('settle', { session, requestId: crypto.randomUUID(), patient: L.eligible, date: DATE, lines, payment: { received: add(wechat, cash), methods: [{ method: 'wechat', amount: wechat }, { method: 'cash', amount: cash }] } });
}

test('a partial return: one of three boxes, exact per line and per method; the pool gets back the fund part; the rest, then a refusal beyond it', async () => {
  const { db, s } = open();
  const session = await signIn(s);
  const sold = await sale(s, session);
  const line = sold.lines[0]!;
  const saleLinesBefore = JSON.stringify(linesOf(db, sold.id));
  const saleRowBefore = JSON.stringify(getSettlement(db, sold.id));
  assert.equal(usedThisYear(db, sold.patient.psnNo, DATE), sold.fund);

  const preview = await s.call('returnPreview', { settlementId: sold.id, lines: [{ lineId: line.lineId, quantity: '1' }] });
  assert.equal(preview.lines.length, 1);
  assert.equal(preview.lines[0]!.quantity, '1');
  assert.equal(preview.lines[0]!.left, '2');
  // One box of three: a third of the line, to the fen (the price of what is kept is the price of 2 boxes).
  assert.equal(preview.lines[0]!.total, fen(D(line.total).minus(D(line.price).times(2))));
  assert.equal(add(preview.lines[0]!.fund, preview.lines[0]!.patient), preview.lines[0]!.total);
  assert.equal(preview.amount, preview.lines[0]!.patient);
  assert.equal(fen(preview.refund!.methods.reduce((a, m) => a.minus(D(m.amount)), D('0'))), preview.amount, 'the refund per method adds up to the patient share returned');

  const key = crypto.randomUUID();
  const first = await s.call('reverse', { session, settlementId: sold.id, reason: '多拿了一盒', lines: [{ lineId: line.lineId, quantity: '1' }], requestId: key });
  const again = await s.call('reverse', { session, settlementId: sold.id, reason: '多拿了一盒', lines: [{ lineId: line.lineId, quantity: '1' }], requestId: key });
  assert.equal(again.id, first.id, 'the same return sent twice (a double click) is recorded once');
  assert.equal(first.kind, 'reversal');
  assert.deepEqual(first.lines.map((l) => [l.name, l.quantity, l.total, l.fund, l.patient]), [[line.name, '-1', `-${preview.lines[0]!.total}`, `-${preview.lines[0]!.fund}`, `-${preview.lines[0]!.patient}`]]);
  assert.deepEqual(first.payment!.methods.map((m) => m.amount), preview.refund!.methods.map((m) => m.amount), 'what was confirmed is what was recorded');
  assert.equal(usedThisYear(db, sold.patient.psnNo, DATE), add(sold.fund, first.fund), 'the year pool gets back exactly the fund part returned');
  assert.equal(JSON.stringify(linesOf(db, sold.id)), saleLinesBefore, 'the sale lines are never edited');
  assert.equal(JSON.stringify(getSettlement(db, sold.id)), saleRowBefore, 'the sale is never edited');
  // The supply rule keeps the days of the two boxes kept; the other line is untouched.
  assert.deepEqual(days(db, sold.id).map((d) => d.days).sort(), [20, 30]);

  // The voucher says what went back and how.
  const voucher = await s.call('print', { session, document: 'receipt', settlementId: first.id, layout: 'a5' });
  assert.match(voucher.html, /退费凭证/);
  assert.match(voucher.html, /退回数量/);
  assert.doesNotMatch(voucher.html, /年度限额剩余/, 'a return has no year figure of its own to print');
  assert.match(voucher.html, new RegExp(`${line.name}[\\s\\S]*?<td class="num">1</td>`));
  for (const m of first.payment!.methods) assert.match(voucher.html, new RegExp(`${m.methodZh}[\\s\\S]{0,80}${m.amount.replace('-', '')}`));

  // The sale now shows what is left to return.
  const after = await s.call('getSettlement', { settlementId: sold.id });
  assert.deepEqual(after.lines.map((l) => l.left), ['2', '2']);

  // More than is left, part boxes of an item that does not split, nothing: refused, nothing written.
  const records = () => (db.prepare('SELECT count(*) AS n FROM settlement').get() as { n: number }).n;
  const n = records();
  await assert.rejects(s.call('reverse', { session, settlementId: sold.id, reason: 'x', lines: [{ lineId: line.lineId, quantity: '3' }] }), refused('RETURN_EXCEEDS_LEFT', /已退 1盒，最多还可退 2盒/));
  await assert.rejects(s.call('reverse', { session, settlementId: sold.id, reason: 'x', lines: [{ lineId: line.lineId, quantity: '0.5' }] }), refused('RETURN_NOT_WHOLE_PACKAGES', /不可拆零/));
  await assert.rejects(s.call('reverse', { session, settlementId: sold.id, reason: 'x', lines: [{ lineId: line.lineId, quantity: '0' }] }), refused('BAD_RETURN_QUANTITY'));
  await assert.rejects(s.call('reverse', { session, settlementId: sold.id, reason: 'x', lines: [{ lineId: line.lineId, quantity: '1' }, { lineId: line.lineId, quantity: '1' }] }), refused('DUPLICATE_LINE'));
  await assert.rejects(s.call('returnPreview', { settlementId: sold.id, lines: [{ lineId: line.lineId, quantity: '2.5' }] }), refused('RETURN_EXCEEDS_LEFT'));
  assert.equal(records(), n);

  // The rest of the line: together the two returns are exactly the line; the days of this line are freed.
  const second = await s.call('reverse', { session, settlementId: sold.id, reason: '不需要了', lines: [{ lineId: line.lineId, quantity: '2' }] });
  for (const k of ['total', 'fund', 'patient'] as const) assert.equal(add(first.lines[0]![k], second.lines[0]![k]), fen(D(line[k]).negated()), `${k}: the returns add up to the line`);
  assert.deepEqual(days(db, sold.id).map((d) => d.days), [30], 'only the other line still counts for supply');
  await assert.rejects(s.call('reverse', { session, settlementId: sold.id, reason: 'x', lines: [{ lineId: line.lineId, quantity: '1' }] }), refused('LINE_ALREADY_RETURNED'));
  // Then the other line, all of it: the sale is fully returned, the pool and the payments net to zero.
  const last = await s.call('reverse', { session, settlementId: sold.id, reason: '全部退' });
  assert.equal(usedThisYear(db, sold.patient.psnNo, DATE), '0.00');
  assert.equal(add(first.patientPays, second.patientPays, last.patientPays), fen(D(sold.patientPays).negated()));
  const refunded = [first, second, last].flatMap((r) => r.payment!.methods);
  for (const m of sold.payment!.methods.filter((x) => x.method !== 'cash')) {
    assert.equal(add(...refunded.filter((r) => r.method === m.method).map((r) => r.amount)), fen(D(m.amount).negated()), `${m.methodZh} refunded in full, no more`);
  }
  await assert.rejects(s.call('reverse', { session, settlementId: sold.id, reason: 'x' }), refused('ALREADY_REVERSED'));
  assert.equal(verifyJournal(db).ok, true);
});

test('a split-pack item goes back in part boxes; the part must come to whole tablets', async () => {
  const { db, s } = open();
  db.prepare(`UPDATE catalog SET split_pack = 1 WHERE code = ?`).run(drugCode(1));
  const session = await signIn(s);
  const sold = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: L.eligible, date: DATE, lines: [{ code: drugBarcode(1), quantity: '2' }] });
  const line = sold.lines[0]!;
  const half = await s.call('reverse', { session, settlementId: sold.id, reason: '拆零退半盒', lines: [{ lineId: line.lineId, quantity: '0.5' }] });
  assert.equal(half.lines[0]!.quantity, '-0.5');
  assert.equal(half.lines[0]!.total, fen(D(line.price).times('0.5').negated()));
  // 0.3 of a 28-tablet box is not whole tablets.
  await assert.rejects(s.call('reverse', { session, settlementId: sold.id, reason: 'x', lines: [{ lineId: line.lineId, quantity: '0.3' }] }), refused('RETURN_NOT_WHOLE_PACKAGES', /整片/));
  const rest = await s.call('reverse', { session, settlementId: sold.id, reason: '余下退回', lines: [line.lineId] });
  assert.equal(rest.lines[0]!.quantity, '-1.5', 'a bare line id takes back all that is left');
  assert.equal(add(half.fund, rest.fund), fen(D(sold.fund).negated()));
});

test('uploaded: the platform settlement is undone and what was kept is settled again with the kept quantity; no variance', async () => {
  const { db, s } = open();
  const sim = await startSimulator({ dataDir: mkdtempSync(join(tmpdir(), 'lbc-partial-sim-')) });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, random: () => 0, hints: true, now: () => NOW.getTime() });
  try {
    const session = await signIn(s);
    const sold = await sale(s, session);
    await up.drainOnce();
    assert.equal(getOutboxBySettlement(db, sold.id)!.status, 'acked');
    const line = sold.lines[0]!;
    const ret = await s.call('reverse', { session, settlementId: sold.id, reason: '多拿了一盒', lines: [{ lineId: line.lineId, quantity: '1' }] });
    await up.drainOnce();
    const row = getOutboxBySettlement(db, ret.id)!;
    assert.equal(row.status, 'acked', row.last_error ?? '');
    const sent = messagesOf(db, row.id);
    assert.deepEqual(sent.map((m) => m.infno), ['2208', '2201', '2203', '2204', '2207']);
    const fees = JSON.parse(sent.find((m) => m.infno === '2204')!.request_json!).input.feedetail as { cnt: string | number; det_item_fee_sumamt: string | number }[];
    assert.deepEqual(fees.map((f) => String(f.cnt)), ['2', '2'], 'the kept quantity of the returned line, the other line whole');
    const standing = standingSettlements(sim.db);
    assert.equal(standing.length, 1);
    assert.equal(standing[0]!.medfee_sumamt, add(sold.total, ret.total));
    assert.equal(standing[0]!.fund_pay_sumamt, add(sold.fund, ret.fund));
    // (The simulator counts the sale's over-standard part as in scope, a line variance of the sale itself; the return adds none.)
    assert.deepEqual(listVariances(db).filter((v) => v.settlement_id === ret.id), []);
  } finally {
    up.close();
    await sim.close();
  }
});
