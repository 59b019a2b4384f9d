// Migrations 50 (supervision), 51 (filing), 52 (capitation) on a real file: applied on top of an
// older database, in order, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';

const MINE = ['dispensing', 'supervision_override', 'filing', 'filing_upload', 'capitation_statement', 'capitation_line'];
const tables = (db: ReturnType<typeof openDatabase>) => new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));

test('a database at version 49 gains the tables of 50–52 when opened by this version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-mig-d-'));
  try {
    const old = openDatabase(dir, { targetVersion: 49 });
    assert.ok((old.pragma('user_version', { simple: true }) as number) <= 49);
    for (const t of MINE) assert.ok(!tables(old).has(t), `${t} before 50`);
    old.close();
    const at51 = openDatabase(dir, { targetVersion: 51 });
    assert.ok(tables(at51).has('filing') && !tables(at51).has('capitation_statement'));
    at51.close();
    const db = openDatabase(dir);
    assert.ok((db.pragma('user_version', { simple: true }) as number) >= 52);
    for (const t of MINE) assert.ok(tables(db).has(t), t);
    const triggers = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string }[]).map((r) => r.name);
    for (const t of ['supervision_override_fixed', 'supervision_override_no_delete', 'filing_no_update', 'filing_no_delete', 'filing_upload_no_delete', 'capitation_statement_no_update', 'capitation_line_no_delete']) assert.ok(triggers.includes(t), t);
    db.close();
    // Opening again changes nothing.
    const again = openDatabase(dir);
    assert.ok(tables(again).has('capitation_line'));
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
