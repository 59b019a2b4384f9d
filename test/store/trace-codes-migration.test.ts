// Migration 101 on a real SQLite file: a database at 97 gains line_trace_codes, which takes only
// 20-digit codes of existing journal lines and refuses a code sold twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { settleSale } from '../helpers/settlement.ts';
import { insertTraceCodes } from '../../core/store/trace-codes.ts';

test('migration 101: an existing journal gains the trace-code table; shape and uniqueness are enforced by SQLite', () => {
  const path = mkdtempSync(join(tmpdir(), 'lbc-trace-mig-'));
  // A database from before 101 (today's writer needs the later tables, so the sale is made after the upgrade).
  const before = openDatabase(path, { targetVersion: 100 });
  assert.equal((before.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'line_trace_codes'`).get() as { n: number }).n, 0);
  before.close();
  const db = openDatabase(path);
  settleSale(db, { psnNo: '53090000000000000011', date: '2024-08-01' });
  const l = db.prepare('SELECT id, settlement_id FROM settlement_line LIMIT 1').get() as { id: string; settlement_id: string };
  insertTraceCodes(db, [{ code: '81234567890123456789', lineId: l.id, settlementId: l.settlement_id }], '2024-08-01T00:00:00Z');
  assert.throws(() => insertTraceCodes(db, [{ code: '81234567890123456789', lineId: l.id, settlementId: l.settlement_id }], 'x'), /UNIQUE/);
  assert.throws(() => insertTraceCodes(db, [{ code: '8123456789012345678X', lineId: l.id, settlementId: l.settlement_id }], 'x'), /CHECK/);
  assert.throws(() => insertTraceCodes(db, [{ code: '1234', lineId: l.id, settlementId: l.settlement_id }], 'x'), /CHECK/);
  assert.throws(() => insertTraceCodes(db, [{ code: '81234567890123456780', lineId: 'no-such-line', settlementId: l.settlement_id }], 'x'), /FOREIGN KEY/);
  db.close();
});
