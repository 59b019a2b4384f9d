// The sale pipeline's steps on their own (core/sale): price is pure (it runs with the database
// closed), commitSale is idempotent on the requestId even when called twice directly (the UNIQUE
// key decides, not a check before it), and readSettlement checks each JSON column it reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { assertSettleable, commitSale, loadSaleContext, price, readSettlement } from '../../core/sale/index.ts';

const book = loadPolicyBook();
const L = FIXTURE_REGIONS.lincang;
const NOW = new Date('2026-03-10T02:00:00Z');
const input = { patient: L.eligible, date: '2026-03-10', lines: [1, 2, 3].map((n) => ({ code: drugBarcode(n), quantity: '1', days: 28 })) };

function seeded(): DB {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-pipeline-')));
  seedFixture(db, 'lincang');
  return db;
}

test('price is pure: everything it needs was read by loadSaleContext (it runs with the database closed)', () => {
  const db = seeded();
  const ctx = loadSaleContext(db, book, input);
  db.close();
  const priced = price(ctx, book);
  assert.equal(priced.lines.length, 3);
  assert.equal(priced.request.lines.length, 3);
  assert.equal(priced.supervised.length, 3, 'the supervision checks ran on the loaded history');
  assert.equal(priced.facts.dispensing?.lines.length, 3);
  assert.deepEqual(price(ctx, book).result, priced.result, 'the same context prices the same way');
});

test('commitSale twice with one requestId writes one settlement and returns its id both times', () => {
  const db = seeded();
  const priced = price(loadSaleContext(db, book, input), book);
  assertSettleable(priced);
  const o = { operator: { id: 'yaoshi', name: '王药师', role: 'pharmacist' }, requestId: 'req-twice', requestHash: 'h', now: NOW };
  const first = commitSale(db, priced.facts, o);
  const second = commitSale(db, priced.facts, o);
  assert.equal(second, first);
  for (const table of ['settlement', 'ledger_entries', 'outbox', 'settlement_operators']) {
    assert.equal((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, 1, table);
  }
  assert.equal((db.prepare(`SELECT count(*) AS n FROM dispensing WHERE source = 'counter'`).get() as { n: number }).n, 3);
});

test('readSettlement checks every JSON column: a damaged one is an error naming it, never a cast', () => {
  const db = seeded();
  const priced = price(loadSaleContext(db, book, input), book);
  const id = commitSale(db, priced.facts, { operator: { id: 'yaoshi', name: '王药师', role: 'pharmacist' }, now: NOW });
  const m = readSettlement(db, id)!;
  assert.equal(m.record.lines.length, 3);
  assert.equal(m.result!.fund, priced.result.fund);
  assert.equal(readSettlement(db, m.record.receiptNo)!.record.id, id, 'by receipt number too');
  assert.equal(readSettlement(db, 'no-such-id'), null);
  db.prepare('UPDATE settlement_operators SET prescription = ? WHERE settlement_id = ?').run(JSON.stringify({ doctor: 5 }), id);
  assert.throws(() => readSettlement(db, id), /settlement_operators\.prescription/);
  db.prepare('UPDATE settlement_operators SET prescription = ? WHERE settlement_id = ?').run('{not json', id);
  assert.throws(() => readSettlement(db, id), /prescription is not JSON/);
});

test('nextMsgids(n) gives exactly what n calls of nextMsgid give: across the per-second rollover, with the clock set back and behind a terminal digit', async () => {
  const { nextMsgid, nextMsgids } = await import('../../core/store/outbox.ts');
  const { compactSecond } = await import('../../core/clock/index.ts');
  const code = L.institution.code;
  for (const [start, terminal] of [
    [null, null],
    [{ second: compactSecond(NOW), seq: 997 }, null],
    [{ second: compactSecond(new Date(NOW.getTime() + 3_600_000)), seq: 12 }, null], // the clock went back an hour
    [{ second: compactSecond(NOW), seq: 998 }, 7], // this counter's terminal digit
  ] as const) {
    const now = NOW;
    const one = seeded();
    const many = seeded();
    for (const db of [one, many]) {
      if (start) db.prepare('INSERT INTO msgid_clock (id, second, seq) VALUES (1, ?, ?)').run(start.second, start.seq);
      if (terminal !== null) db.prepare('INSERT INTO terminal (id, terminal_no, dev_no) VALUES (1, ?, ?)').run(terminal, 'DEV-1');
    }
    const singly = Array.from({ length: 6 }, () => nextMsgid(one, code, now));
    assert.deepEqual(nextMsgids(many, code, now, 6), singly);
    assert.deepEqual(many.prepare('SELECT second, seq FROM msgid_clock').get(), one.prepare('SELECT second, seq FROM msgid_clock').get());
    assert.equal(new Set(singly).size, 6);
  }
});
