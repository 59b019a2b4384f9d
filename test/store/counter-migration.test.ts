// Migration 70 (counter operators, settlement operators, print log, printer settings) on a real
// SQLite file, and the store functions over it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { createOperator, listOperators, printCount, recordPrint, verifyOperator } from '../../core/store/counter.ts';
import { getSetting, setSetting } from '../../core/store/settings.ts';

function fresh() {
  return openDatabase(mkdtempSync(join(tmpdir(), 'lbc-m70-')));
}

test('migration 70 creates the counter tables, and a database stopped before it upgrades cleanly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-m70-'));
  const before = openDatabase(dir, { targetVersion: 69 });
  assert.equal((before.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'operators'").get() as { n: number }).n, 0);
  before.close();
  // Up to 70 itself: migration 82 later folds counter_settings into settings.
  const db = openDatabase(dir, { targetVersion: 70 });
  for (const t of ['operators', 'settlement_operators', 'print_log', 'counter_settings']) {
    assert.equal((db.prepare('SELECT count(*) AS n FROM sqlite_master WHERE type = ? AND name = ?').get('table', t) as { n: number }).n, 1, t);
  }
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 70);
  db.close();
});

test('operators: PINs are stored hashed and salted; a wrong PIN or an unknown operator is refused; roles are checked', () => {
  const db = fresh();
  createOperator(db, { id: 'yaoshi', name: '王药师', role: 'pharmacist', pin: '1234' });
  createOperator(db, { id: 'b', name: '李', role: 'clerk', pin: '1234' });
  const rows = db.prepare('SELECT pin_salt, pin_hash FROM operators').all() as { pin_salt: string; pin_hash: string }[];
  // A hex digest, not the PIN (a substring check would match a digest by chance about once in 400 runs).
  assert.ok(rows.every((r) => /^[0-9a-f]{64,}$/.test(r.pin_hash) && r.pin_hash !== '1234'));
  assert.notEqual(rows[0]!.pin_hash, rows[1]!.pin_hash, 'same PIN, different salt, different hash');
  assert.equal(verifyOperator(db, 'yaoshi', '1234')?.role, 'pharmacist');
  assert.equal(verifyOperator(db, 'yaoshi', '4321'), null);
  assert.equal(verifyOperator(db, 'nobody', '1234'), null);
  assert.throws(() => createOperator(db, { id: 'x', name: 'x', role: 'boss' as never, pin: '1111' }), /CHECK constraint/);
  assert.deepEqual(listOperators(db).map((o) => o.id).sort(), ['b', 'yaoshi']);
  db.close();
});

test('the reprint counter is the count of print rows per settlement and document', () => {
  const db = fresh();
  createOperator(db, { id: 'a', name: 'A', role: 'admin', pin: '0000' });
  assert.equal(recordPrint(db, { settlementId: 's1', document: 'receipt', layout: '80mm', operatorId: 'a' }), 1);
  assert.equal(recordPrint(db, { settlementId: 's1', document: 'receipt', layout: 'a5', operatorId: 'a' }), 2);
  assert.equal(recordPrint(db, { settlementId: 's1', document: 'prescription', layout: 'a5', operatorId: 'a' }), 1);
  assert.equal(recordPrint(db, { settlementId: null, document: 'public-list', layout: 'a5', operatorId: 'a' }), 1);
  assert.equal(recordPrint(db, { settlementId: null, document: 'public-list', layout: 'a5', operatorId: 'a' }), 2);
  assert.equal(printCount(db, 's1', 'receipt'), 2);
  assert.throws(() => db.prepare("INSERT INTO print_log (settlement_id, document, layout, copy, operator_id, printed_at) VALUES ('s1', 'receipt', 'a5', 2, 'a', 'now')").run(), /UNIQUE/);
  setSetting(db, 'counter.printers', { receipt: 'EPSON' });
  setSetting(db, 'counter.printers', { receipt: 'XP-80' });
  assert.deepEqual(getSetting(db, 'counter.printers'), { receipt: 'XP-80' });
  assert.equal(getSetting(db, 'filing.codes'), null);
  db.close();
});
