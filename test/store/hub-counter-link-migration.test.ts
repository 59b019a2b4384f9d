// Migration 130 on a real SQLite file: a database at 107 gains what a counter keeps of its hub
// link; the tables take only what they are for (a journal record's id, a 20-digit code, a known
// state or source) and one figure per patient-year, which a newer figure replaces and an older does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { settleSale } from '../helpers/settlement.ts';
import { addPendingTraceClaims, lastHubFigure, recordSettlementPoolFigure, saveHubFigure, settlementPoolFigure } from '../../core/store/hub-link.ts';

test('migration 130: an existing journal gains the hub-link tables; shape, references and states are enforced by SQLite', () => {
  const path = mkdtempSync(join(tmpdir(), 'lbc-hublink-mig-'));
  const before = openDatabase(path, { targetVersion: 107 });
  assert.equal((before.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('hub_pool_figure', 'settlement_pool_figure', 'hub_trace_claim')`).get() as { n: number }).n, 0);
  before.close();
  const db = openDatabase(path);
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 130);
  settleSale(db, { psnNo: '53090000000000000011', date: '2026-03-01' });
  const id = (db.prepare('SELECT id FROM settlement LIMIT 1').get() as { id: string }).id;

  saveHubFigure(db, 'P1', 2026, { fund: '100.00', pushedSeq: 3, asOf: '2026-03-01T02:00:00.000Z' });
  saveHubFigure(db, 'P1', 2026, { fund: '50.00', pushedSeq: 1, asOf: '2026-03-01T01:00:00.000Z' });
  assert.deepEqual(lastHubFigure(db, 'P1', 2026), { fund: '100.00', pushedSeq: 3, asOf: '2026-03-01T02:00:00.000Z' }, 'an older figure does not replace a newer one');
  saveHubFigure(db, 'P1', 2026, { fund: '120.00', pushedSeq: 4, asOf: '2026-03-01T03:00:00.000Z' });
  assert.equal(lastHubFigure(db, 'P1', 2026)!.fund, '120.00');
  assert.equal(lastHubFigure(db, 'P1', 2025), null);

  recordSettlementPoolFigure(db, id, { source: 'group', used: '120.00', asOf: '2026-03-01T03:00:00.000Z' });
  assert.deepEqual(settlementPoolFigure(db, id), { source: 'group', used: '120.00', asOf: '2026-03-01T03:00:00.000Z' });
  assert.throws(() => recordSettlementPoolFigure(db, id, { source: 'counter', used: '1.00', asOf: null }), /UNIQUE|PRIMARY/);
  assert.throws(() => recordSettlementPoolFigure(db, 'no-such-sale', { source: 'group', used: '1.00', asOf: null }), /FOREIGN KEY/);
  assert.throws(() => db.prepare(`INSERT INTO settlement_pool_figure (settlement_id, source, used) VALUES (?, 'hub', '1.00')`).run(id), /CHECK|UNIQUE/);

  addPendingTraceClaims(db, id, ['81234567890123456789'], '2026-03-01T03:00:00.000Z');
  addPendingTraceClaims(db, id, ['81234567890123456789'], '2026-03-01T03:00:00.000Z'); // a repeat is the same claim
  assert.equal((db.prepare('SELECT count(*) AS n FROM hub_trace_claim').get() as { n: number }).n, 1);
  assert.throws(() => addPendingTraceClaims(db, id, ['8123456789012345678X'], 'x'), /CHECK/);
  assert.throws(() => addPendingTraceClaims(db, 'no-such-sale', ['81234567890123456780'], 'x'), /FOREIGN KEY/);
  assert.throws(() => db.prepare(`UPDATE hub_trace_claim SET state = 'lost'`).run(), /CHECK/);
  db.close();
});
