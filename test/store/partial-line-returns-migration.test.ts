// Migration 120 on a real SQLite file: settlement_line is rebuilt without UNIQUE on
// reverses_line_id (a line may go back in parts); the rows, the hash chain, the triggers and the
// references other tables make to the lines all survive the rebuild.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/store/db.ts';
import { settleSale, tempDir } from '../helpers/settlement.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';
import { insertTraceCodes } from '../../core/store/trace-codes.ts';

const op = { id: 'op02', name: '王收费' };

test('migration 120: lines keep their content and chain; one sale line can then be returned twice in parts', () => {
  const dir = tempDir('lbc-mig-120-');
  const before = openDatabase(dir, { targetVersion: 107 });
  const sale = settleSale(before, { lines: [{ id: 'a', price: '6.30', quantity: '3', vbp: true, paymentStandard: '6.30' }, { id: 'b', price: '35.50', quantity: '2', paymentStandard: '30.00' }] });
  reverse(before, { settlementId: sale.id, lines: ['b'], operator: op, reason: '退一种' });
  insertTraceCodes(before, [{ code: '81234567890123456789', lineId: sale.lines[0]!.id, settlementId: sale.id }], '2024-08-01T00:00:00Z');
  const rowsBefore = before.prepare('SELECT * FROM settlement_line ORDER BY rowid').all();
  const oldSql = (before.prepare(`SELECT sql FROM sqlite_master WHERE name = 'settlement_line'`).get() as { sql: string }).sql;
  assert.match(oldSql, /reverses_line_id TEXT UNIQUE/);
  before.close();

  const db = openDatabase(dir);
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 120, 'migration 120 ran');
  assert.deepEqual(db.prepare('SELECT * FROM settlement_line ORDER BY rowid').all(), rowsBefore, 'every line as it was');
  assert.equal(verifyJournal(db).ok, true, 'the hash chain still verifies');
  const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'settlement_line'`).get() as { sql: string }).sql;
  assert.doesNotMatch(sql, /reverses_line_id TEXT UNIQUE/);
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  assert.equal((db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'settlement_line_before%'`).get() as { n: number }).n, 0);
  // Other tables still refer to settlement_line (not to the table it was renamed from).
  const traceSql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'line_trace_codes'`).get() as { sql: string }).sql;
  assert.match(traceSql, /REFERENCES settlement_line\(id\)/);
  assert.throws(() => insertTraceCodes(db, [{ code: '81234567890123456780', lineId: 'no-such-line', settlementId: sale.id }], 'x'), /FOREIGN KEY/);
  insertTraceCodes(db, [{ code: '81234567890123456781', lineId: sale.lines[0]!.id, settlementId: sale.id }], 'x');
  // Still immutable.
  assert.throws(() => db.prepare(`UPDATE settlement_line SET total = '0.00'`).run(), /immutable/);
  assert.throws(() => db.prepare(`DELETE FROM settlement_line`).run(), /never deleted/);
  // The same sale line, returned in two parts.
  reverse(db, { settlementId: sale.id, lines: [{ line: 'a', quantity: '1' }], operator: op, reason: '退一盒' });
  reverse(db, { settlementId: sale.id, lines: [{ line: 'a', quantity: '2' }], operator: op, reason: '再退两盒' });
  const parts = db.prepare('SELECT quantity FROM settlement_line WHERE reverses_line_id = ? ORDER BY rowid').all(sale.lines[0]!.id) as { quantity: string }[];
  assert.deepEqual(parts.map((p) => p.quantity), ['-1', '-2']);
  assert.equal(verifyJournal(db).ok, true);
  db.close();
});
