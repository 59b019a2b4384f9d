// The journal: one transaction per settlement, stable ids with UNIQUE constraints, immutable
// rows, the hash chain and its verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { openTemp, saleInput, settleSale } from '../helpers/settlement.ts';
import { settle } from '../../core/settlement/settle.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';
import { usedThisYear } from '../../core/store/ledger.ts';
import { messagesOf, getOutboxBySettlement } from '../../core/store/outbox.ts';
import { InputError } from '../../core/contract/problems.ts';
import { nextReceiptNo } from '../../core/store/journal.ts';

const count = (db: ReturnType<typeof openTemp>['db'], table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

test('settle commits the record, its lines, the engine split with policy id and version, the ledger entry and the outbox row together', () => {
  const { db } = openTemp();
  const rec = settleSale(db);
  const input = saleInput();
  assert.equal(rec.kind, 'sale');
  assert.match(rec.receiptNo, /^S2024080100001$/);
  assert.match(rec.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/, 'UUIDv7');
  assert.equal(rec.fund, input.result.fund);
  assert.equal(rec.patientPays, input.result.patient);
  assert.equal(rec.total, input.result.total);
  assert.deepEqual(rec.policy, { id: 'lincang', version: input.result.policy.version });
  assert.equal(rec.lines.length, 2);
  assert.deepEqual(rec.lines.map((l) => l.feedetlSn), ['S2024080100001001', 'S2024080100001002']);
  assert.equal(usedThisYear(db, '53090000000000000001', '2024-08-01'), rec.fund);
  const out = getOutboxBySettlement(db, rec.id)!;
  assert.equal(out.status, 'pending');
  const msgs = messagesOf(db, out.id);
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0]!.infno, '2102', 'a pharmacy settles with 2102');
  assert.match(msgs[0]!.msgid, /^P53090100001\d{14}\d{4}$/);
});

test('a clinic sale is queued as 2201 → 2203 → 2204 → 2207, each with its own msgid from the per-second sequence', () => {
  const { db } = openTemp();
  const at = new Date('2024-08-01T02:00:00Z'); // 10:00:00 in China
  const rec = settleSale(db, { type: 'clinic' }, at);
  const msgs = messagesOf(db, rec.outbox!.id);
  assert.deepEqual(msgs.map((m) => m.infno), ['2201', '2203', '2204', '2207']);
  assert.deepEqual(msgs.map((m) => m.msgid), ['0001', '0002', '0003', '0004'].map((s) => `H53090100001${'20240801100000'}${s}`));
});

test('the same requestId settles once: a retried settle returns the record already made', () => {
  const { db } = openTemp();
  const key = uuidv7();
  const a = settleSale(db, { requestId: key });
  const b = settleSale(db, { requestId: key });
  assert.equal(a.id, b.id);
  assert.equal(count(db, 'settlement'), 1);
  assert.equal(count(db, 'ledger_entries'), 1);
  assert.equal(count(db, 'outbox'), 1);
});

test('a failure inside the transaction leaves nothing behind (no settlement without its ledger entry and outbox row)', () => {
  const { db } = openTemp();
  // The ledger refuses a second entry for the same settlement; make the outbox insert fail instead by a duplicate msgid.
  db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
  assert.throws(() => settleSale(db), /disk full/);
  assert.equal(count(db, 'settlement'), 0);
  assert.equal(count(db, 'settlement_line'), 0);
  assert.equal(count(db, 'ledger_entries'), 0);
  assert.equal(count(db, 'outbox_message'), 0);
});

test('a sale the engine found ineligible is refused, naming the reason', () => {
  const { db } = openTemp();
  const input = saleInput({ insurance: 'employee' }); // seed 000 §二.(二).3: Lincang covers resident patients only
  assert.equal(input.result.eligible, false);
  assert.throws(() => settle(db, input), (e: unknown) => e instanceof InputError && e.code === 'NOT_ELIGIBLE');
  assert.equal(count(db, 'settlement'), 0);
});

test('settled rows are immutable: UPDATE and DELETE of settlements and lines are refused by triggers, outbox rows are never deleted', () => {
  const { db } = openTemp();
  const rec = settleSale(db);
  assert.throws(() => db.prepare(`UPDATE settlement SET fund = '0.00' WHERE id = ?`).run(rec.id), /immutable/);
  assert.throws(() => db.prepare(`DELETE FROM settlement WHERE id = ?`).run(rec.id), /never deleted/);
  assert.throws(() => db.prepare(`UPDATE settlement_line SET total = '1.00'`).run(), /immutable/);
  assert.throws(() => db.prepare(`DELETE FROM settlement_line`).run(), /never deleted/);
  assert.throws(() => db.prepare(`DELETE FROM outbox`).run(), /never deleted/);
  assert.throws(() => db.prepare(`UPDATE outbox_message SET msgid = 'X' || substr(msgid, 2)`).run(), /keeps its msgid/);
});

test('UNIQUE constraints: a record id, a receipt number, a feedetl_sn or a msgid cannot be stored twice', () => {
  const { db } = openTemp();
  const rec = settleSale(db);
  const row = db.prepare('SELECT * FROM settlement WHERE id = ?').get(rec.id) as Record<string, unknown>;
  const cols = Object.keys(row).filter((k) => k !== 'seq');
  const insert = (over: Record<string, unknown>) =>
    db.prepare(`INSERT INTO settlement (${cols.join(',')}) VALUES (${cols.map((c) => '@' + c).join(',')})`).run({ ...row, ...over });
  assert.throws(() => insert({ receipt_no: 'X1', hash: 'h1', request_id: null }), /UNIQUE constraint failed: settlement.id/);
  assert.throws(() => insert({ id: uuidv7(), hash: 'h2', request_id: null }), /UNIQUE constraint failed: settlement.receipt_no/);
  const msg = messagesOf(db, rec.outbox!.id)[0]!;
  assert.throws(
    () => db.prepare(`INSERT INTO outbox_message (msgid, outbox_id, step, attempt, infno, status) VALUES (?, ?, 0, 1, '2102', 'planned')`).run(msg.msgid, rec.outbox!.id),
    /UNIQUE constraint failed: outbox_message.msgid/,
  );
  const line = db.prepare('SELECT * FROM settlement_line LIMIT 1').get() as Record<string, unknown>;
  const lcols = Object.keys(line);
  assert.throws(
    () => db.prepare(`INSERT INTO settlement_line (${lcols.join(',')}) VALUES (${lcols.map((c) => '@' + c).join(',')})`).run({ ...line, id: uuidv7(), line_no: 9 }),
    /UNIQUE constraint failed: settlement_line.feedetl_sn/,
  );
});

test('the hash chain verifies, and detects a changed record, a changed line, a removed record and a reordering', () => {
  const { db } = openTemp();
  for (let i = 0; i < 4; i++) settleSale(db);
  const ok = verifyJournal(db);
  assert.equal(ok.ok, true);
  assert.equal(ok.records, 4);
  // Someone with the file and a SQLite shell drops the triggers and edits.
  db.exec('DROP TRIGGER settlement_no_update; DROP TRIGGER settlement_no_delete; DROP TRIGGER settlement_line_no_update; DROP TRIGGER settlement_line_no_delete');
  const second = db.prepare('SELECT * FROM settlement ORDER BY seq LIMIT 1 OFFSET 1').get() as { id: string; fund: string; seq: number };
  db.prepare(`UPDATE settlement SET fund = '0.01' WHERE id = ?`).run(second.id);
  let r = verifyJournal(db);
  assert.equal(r.ok, false);
  assert.equal(r.broken!.seq, second.seq);
  assert.match(r.broken!.problem, /content does not match/);
  db.prepare(`UPDATE settlement SET fund = ? WHERE id = ?`).run(second.fund, second.id);
  assert.equal(verifyJournal(db).ok, true, 'restoring the content restores the chain');
  db.prepare(`UPDATE settlement_line SET quantity = '99' WHERE settlement_id = ? AND line_no = 1`).run(second.id);
  assert.equal(verifyJournal(db).broken!.seq, second.seq, 'a line is covered by its record hash');
  db.prepare(`UPDATE settlement_line SET quantity = '28' WHERE settlement_id = ? AND line_no = 1`).run(second.id);
  assert.equal(verifyJournal(db).ok, true);
  db.exec('PRAGMA foreign_keys = OFF');
  db.prepare(`DELETE FROM settlement_line WHERE settlement_id = ?`).run(second.id);
  db.prepare(`DELETE FROM settlement WHERE id = ?`).run(second.id);
  r = verifyJournal(db);
  assert.equal(r.ok, false);
  assert.match(r.broken!.problem, /prev_hash/);
  assert.equal(r.broken!.seq, second.seq + 1, 'the record after the removed one no longer links');
});

test('nextReceiptNo numbers each day and prefix on its own, back-dated days included, through an index range (no scan)', () => {
  const { db } = openTemp();
  const rec = settleSale(db);
  const row = db.prepare('SELECT * FROM settlement WHERE id = ?').get(rec.id) as Record<string, unknown>;
  const cols = Object.keys(row).filter((k) => k !== 'seq');
  const put = (receiptNo: string) =>
    db.prepare(`INSERT INTO settlement (${cols.join(',')}) VALUES (${cols.map((c) => '@' + c).join(',')})`)
      .run({ ...row, id: uuidv7(), receipt_no: receiptNo, hash: `h-${receiptNo}`, request_id: null });
  assert.equal(nextReceiptNo(db, '2024-08-01', 'S'), 'S2024080100002', 'after the settled S2024080100001');
  assert.equal(nextReceiptNo(db, '2024-08-01', 'T'), 'T2024080100001', 'returns number on their own');
  for (const r of ['S2024080100002', 'S2024080100003', 'T2024080100001', 'S2024080200007', 'S2024073100041', 'T2024080200001']) put(r);
  assert.equal(nextReceiptNo(db, '2024-08-01', 'S'), 'S2024080100004');
  assert.equal(nextReceiptNo(db, '2024-08-01', 'T'), 'T2024080100002');
  assert.equal(nextReceiptNo(db, '2024-08-02', 'S'), 'S2024080200008', 'a later day');
  assert.equal(nextReceiptNo(db, '2024-07-31', 'S'), 'S2024073100042', 'a back-dated day continues its own numbering');
  assert.equal(nextReceiptNo(db, '2024-07-30', 'S'), 'S2024073000001', 'a back-dated day with no receipts starts at 1');
  assert.equal(nextReceiptNo(db, '2024-08-09', 'T'), 'T2024080900001');
  put('S2024080999999');
  assert.equal(nextReceiptNo(db, '2024-08-09', 'S'), 'S20240809100000', 'past 99999 the number grows a digit, as before');
  const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT receipt_no FROM settlement WHERE receipt_no >= ? AND receipt_no < ? ORDER BY receipt_no DESC LIMIT 1`)
    .all('S20240801', 'S20240802') as { detail: string }[];
  assert.match(plan.map((p) => p.detail).join('; '), /SEARCH settlement USING COVERING INDEX .*receipt_no>\? AND receipt_no<\?/);
});
