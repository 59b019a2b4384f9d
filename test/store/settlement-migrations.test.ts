// Migrations 30–33 (journal, outbox, platform results, day close), each on a real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/store/db.ts';
import { tempDir } from '../helpers/settlement.ts';

function tables(db: ReturnType<typeof openDatabase>): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
}

test('migration 30 creates the journal with UNIQUE ids and triggers that refuse UPDATE and DELETE', () => {
  const before = openDatabase(tempDir(), { targetVersion: 29 });
  assert.ok(!tables(before).includes('settlement'));
  before.close();
  const db = openDatabase(tempDir(), { targetVersion: 30 });
  const names = tables(db);
  for (const n of ['settlement', 'settlement_line', 'settlement_no_update', 'settlement_no_delete', 'settlement_line_no_update', 'settlement_line_no_delete']) assert.ok(names.includes(n), n);
  const uniques = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'settlement'`).get() as { sql: string }).sql;
  assert.match(uniques, /id TEXT NOT NULL UNIQUE/);
  assert.match(uniques, /receipt_no TEXT NOT NULL UNIQUE/);
  assert.equal(db.pragma('user_version', { simple: true }), 30);
  db.close();
});

test('migration 31 creates the outbox, its messages (30-character msgid primary key) and the msgid clock', () => {
  const db = openDatabase(tempDir(), { targetVersion: 31 });
  const names = tables(db);
  for (const n of ['outbox', 'outbox_message', 'msgid_clock', 'outbox_no_delete', 'outbox_message_no_delete', 'outbox_message_fixed']) assert.ok(names.includes(n), n);
  // A status outside the state machine is refused by the schema itself.
  assert.throws(() =>
    db.prepare(`INSERT INTO msgid_clock (id, second, seq) VALUES (1, '20240801120000', 10000)`).run(),
  /CHECK constraint failed/);
  db.close();
});

test('migration 32 creates platform_settlement and variance (one variance per record, scope, line and field)', () => {
  const db = openDatabase(tempDir(), { targetVersion: 32 });
  const names = tables(db);
  assert.ok(names.includes('platform_settlement'));
  assert.ok(names.includes('variance'));
  const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'variance'`).get() as { sql: string }).sql;
  assert.match(sql, /UNIQUE \(settlement_id, scope, line_ref, field\)/);
  db.close();
});

test('migration 33 creates day_close keyed by the 3201 msgid', () => {
  const dir = tempDir();
  const db = openDatabase(dir, { targetVersion: 33 });
  assert.ok(tables(db).includes('day_close'));
  assert.throws(() =>
    db.prepare(`INSERT INTO day_close (msgid, settle_date, insutype, clr_type, medfee_sumamt, fund_pay_sumamt, acct_pay, setl_cnt, balanced, closed_at) VALUES ('short', '2024-08-01', '390', '41', '0', '0', '0', 0, 1, 'x')`).run(),
  /CHECK constraint failed/);
  db.close();
  // Reopening at the latest version keeps the data and runs nothing twice.
  const again = openDatabase(dir);
  assert.ok((again.pragma('user_version', { simple: true }) as number) >= 33);
  again.close();
});
