// The counter service façade on a real database: supply ceilings per region, printing with the
// reprint counter, roles, first-run operator creation, and who may change settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService, ServiceRefusal } from '../../core/service/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture, type RegionId } from '../../core/app/fixture.ts';
import { InputError } from '../../core/contract/problems.ts';
import { getOutboxBySettlement, updateOutbox } from '../../core/store/outbox.ts';

const NOW = new Date('2026-03-10T02:00:00Z');

function service(region: RegionId) {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-svc-')));
  seedFixture(db, region);
  return new CounterService({ db, now: () => NOW });
}

async function session(s: CounterService, id = 'yaoshi', pin = '1234') {
  return (await s.call('signIn', { operatorId: id, pin })).session;
}

test('seed 001 §四: at most 12 weeks (84 days) per prescription in Chongqing; 120 days is blocked, 84 passes', async () => {
  const s = service('chongqing');
  const patient = FIXTURE_REGIONS.chongqing.eligible;
  const over = await s.call('quote', { patient, lines: [{ code: drugBarcode(1), quantity: '5', days: 120 }] });
  assert.equal(over.blocked, true);
  assert.equal(over.supply?.maxDaysPerPrescription, 84);
  assert.ok(over.lines[0]!.warnings.some((w) => w.code === 'MAX_SUPPLY' && /84/.test(w.message)));
  const sess = await session(s);
  await assert.rejects(
    s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient, lines: [{ code: drugBarcode(1), quantity: '5', days: 120 }] }),
    (e: unknown) => e instanceof ServiceRefusal && e.code === 'SUPPLY_BLOCKED' && /用药监管/.test(e.messageZh),
  );
  const ok = await s.call('quote', { patient, lines: [{ code: drugBarcode(1), quantity: '3', days: 84 }] });
  assert.equal(ok.blocked, false);
  const settled = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient, lines: [{ code: drugBarcode(1), quantity: '3', days: 84 }] });
  assert.equal(settled.kind, 'sale');
  // The supply is now on record: the same drug the next day is a refill too early.
  const next = await s.call('quote', { patient, date: '2026-03-11', lines: [{ code: drugBarcode(1), quantity: '1', days: 28 }] });
  assert.ok(next.lines[0]!.warnings.some((w) => w.code === 'EARLY_REFILL'));
});

test('printing counts copies per document: the second receipt is a marked reprint; the prescription has its own count', async () => {
  const s = service('lincang');
  const sess = await session(s);
  const sale = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient: FIXTURE_REGIONS.lincang.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] });
  const r1 = await s.call('print', { session: sess, document: 'receipt', settlementId: sale.id, layout: '80mm' });
  const r2 = await s.call('print', { session: sess, document: 'receipt', settlementId: sale.receiptNo });
  assert.equal(r1.copy, 1);
  assert.equal(r2.copy, 2);
  assert.ok(!r1.html.includes('补打') && r2.html.includes('补打（第 1 次重印）'));
  assert.deepEqual(r1.pageSize, { widthMm: 80, heightMm: null });
  const rx = await s.call('print', { session: sess, document: 'prescription', settlementId: sale.id });
  assert.equal(rx.copy, 1);
  assert.ok(rx.html.includes('张建国'), 'the prescription, a medical document, carries the full name');
  assert.ok(!r1.html.includes('张建国'), 'the receipt carries the masked name');
  const list = await s.call('print', { session: sess, document: 'drug-list', settlementId: sale.id });
  assert.ok(list.html.includes('氨氯地平片'));
  const pub = await s.call('print', { session: sess, document: 'public-list' });
  assert.ok(pub.html.includes('氨氯地平片') && !pub.html.includes('复方丹参滴丸'), 'only listed drugs are on the public list');
  assert.ok(pub.html.includes('演示数据'));
  await assert.rejects(s.call('print', { session: sess, document: 'receipt' }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'settlementId'));
});

test('roles: only an administrator changes settings; a clerk is refused in words', async () => {
  const s = service('lincang');
  const clerk = await session(s, 'shoufei', '5678');
  const current = (await s.call('getSettings', {})).settings;
  await assert.rejects(s.call('saveSettings', { session: clerk, settings: current }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'FORBIDDEN' && /管理员/.test(e.messageZh));
  const admin = await session(s, 'admin', '0000');
  const saved = await s.call('saveSettings', { session: admin, settings: { ...current, printers: { ...current.printers, receipt: 'XP-80C' } } });
  assert.equal(saved.settings.printers.receipt, 'XP-80C');
  await assert.rejects(
    s.call('saveSettings', { session: admin, settings: { ...current, platform: { endpoint: 'not a url' } } }),
    (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'settings.platform.endpoint'),
  );
});

test('first run: the first operator must be an administrator; afterwards only an administrator adds operators', async () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-svc-')));
  const s = new CounterService({ db });
  assert.equal((await s.call('operators', {})).needsFirstAdmin, true);
  await assert.rejects(s.call('createOperator', { id: 'p1', name: '药师', role: 'pharmacist', pin: '1111' }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'FIRST_MUST_BE_ADMIN');
  await s.call('createOperator', { id: 'boss', name: '管理员', role: 'admin', pin: '2468' });
  await assert.rejects(s.call('createOperator', { id: 'p1', name: '药师', role: 'pharmacist', pin: '1111' }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'FORBIDDEN');
  const admin = (await s.call('signIn', { operatorId: 'boss', pin: '2468' })).session;
  await s.call('createOperator', { session: admin, id: 'p1', name: '药师', role: 'pharmacist', pin: '1111' });
  assert.deepEqual((await s.call('operators', {})).items.map((o) => o.id).sort(), ['boss', 'p1']);
  await s.call('signOut', { session: admin });
  await assert.rejects(s.call('createOperator', { session: admin, id: 'p2', name: 'x', role: 'clerk', pin: '1111' }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'SESSION_EXPIRED');
});

test('retry upload: only a message that gave up (dead) goes back in line; the attention list offers it', async () => {
  const s = service('lincang');
  const sess = await session(s);
  const sale = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient: FIXTURE_REGIONS.lincang.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] });
  await assert.rejects(s.call('retryUpload', { session: sess, settlementId: sale.id }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'NOT_RETRYABLE');
  const row = getOutboxBySettlement(s.db, sale.id)!;
  updateOutbox(s.db, row.id, { status: 'dead', last_error: 'connect ECONNREFUSED', updated_at: NOW.toISOString() });
  const before = await s.call('attention', {});
  assert.equal(before.items[0]!.canRetry, true);
  assert.match(before.items[0]!.problemZh, /多次上传失败/);
  assert.equal((await s.call('outboxStatus', {})).attention, 1);
  const after = await s.call('retryUpload', { session: sess, settlementId: sale.receiptNo });
  assert.equal(after.attention, 0);
  assert.equal(after.waiting, 1);
  assert.equal(getOutboxBySettlement(s.db, sale.id)!.status, 'pending');
});

test('an unknown outcome that could not be 冲正 is an operator task naming the message, in Chinese, and retryable', async () => {
  const s = service('lincang');
  const sess = await session(s);
  const sale = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient: FIXTURE_REGIONS.lincang.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] });
  const row = getOutboxBySettlement(s.db, sale.id)!;
  const msgid = (s.db.prepare('SELECT msgid FROM outbox_message WHERE outbox_id = ?').get(row.id) as { msgid: string }).msgid;
  updateOutbox(s.db, row.id, { status: 'dead', maybe_delivered: 1, last_error: `platform outcome of 2102 message ${msgid} unknown; 2601 冲正 refused: x`, updated_at: NOW.toISOString() });
  const items = (await s.call('attention', {})).items;
  assert.equal(items.length, 1);
  assert.match(items[0]!.problemZh, /上传结果无法确认/);
  assert.ok(items[0]!.problemZh.includes(msgid), 'the message number the bureau can look up');
  assert.doesNotMatch(items[0]!.problemZh + items[0]!.whatToDoZh, /refused|platform|2601/);
  assert.equal(items[0]!.canRetry, true);
});

test('signing out at the counter ends the operator\'s platform session (the uploader sends 9002)', async () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-svc-')));
  seedFixture(db, 'lincang');
  const out: string[] = [];
  const s = new CounterService({ db, now: () => NOW, onSignedOut: (id) => out.push(id) });
  const sess = await session(s);
  assert.deepEqual(out, []);
  await s.call('signOut', { session: sess });
  assert.deepEqual(out, ['yaoshi']);
  await s.call('signOut', { session: sess });
  assert.deepEqual(out, ['yaoshi'], 'an expired session signs nobody out');
});
