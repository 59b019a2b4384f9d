// Migration 82 on a real SQLite file (counter_settings folded into the one settings table), and
// the one accessor set over it: typed keys, zod on write and on read, and the cached institution
// re-read after a write through the accessor or by another connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { allSettings, getInstitution, getSetting, requireInstitution, setInstitution, setSetting, type SettingKey } from '../../core/store/settings.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'lbc-settings-mig-'));
const tableNames = (db: ReturnType<typeof openDatabase>) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
const INSTITUTION = { code: 'H53090200001', name: '临翔区某卫生院', type: 'clinic', level: 1, policy: 'lincang', region: '530902' } as const;

test('migration 82 moves counter_settings into settings (counter. prefix) and drops it; nothing else changes', () => {
  const path = dir();
  const before = openDatabase(path, { targetVersion: 81 });
  before.prepare(`INSERT INTO counter_settings (key, value, updated_at) VALUES ('printers', '{"receipt":"XP-80","receiptLayout":"a5"}', '2024-05-01T00:00:00Z')`).run();
  before.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('institution.code', 'H53090200001', '2024-01-01T00:00:00Z')`).run();
  before.close();
  const db = openDatabase(path);
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 82);
  assert.ok(!tableNames(db).includes('counter_settings'));
  assert.deepEqual(allSettings(db), { 'counter.printers': '{"receipt":"XP-80","receiptLayout":"a5"}', 'institution.code': 'H53090200001' });
  assert.deepEqual(getSetting(db, 'counter.printers'), { receipt: 'XP-80', receiptLayout: 'a5' });
  assert.equal((db.prepare(`SELECT updated_at FROM settings WHERE key = 'counter.printers'`).get() as { updated_at: string }).updated_at, '2024-05-01T00:00:00Z');
  db.close();
});

test('migration 82 on a database that never set a printer leaves settings as they were', () => {
  const path = dir();
  openDatabase(path, { targetVersion: 81 }).close();
  const db = openDatabase(path);
  assert.deepEqual(allSettings(db), {});
  assert.equal(getSetting(db, 'counter.printers'), null);
  db.close();
});

test('one accessor set: typed values checked on write and on read; unknown keys refused', () => {
  const db = openDatabase(dir());
  setSetting(db, 'institution.level', 2);
  assert.equal(getSetting(db, 'institution.level'), 2);
  assert.equal(allSettings(db)['institution.level'], '2');
  setSetting(db, 'filing.public', 'yes');
  assert.equal(getSetting(db, 'filing.public'), 'yes');
  setSetting(db, 'filing.public', null);
  assert.equal(getSetting(db, 'filing.public'), null);
  assert.throws(() => setSetting(db, 'filing.codes', 'regional' as 'local'), (e: Error & { code?: string }) => e.code === 'INVALID_SETTINGS' && /filing\.codes/.test(e.message));
  assert.throws(() => setSetting(db, 'institution.region', '53'), (e: Error & { code?: string }) => e.code === 'INVALID_SETTINGS');
  assert.throws(() => getSetting(db, 'no.such' as SettingKey), (e: Error & { code?: string }) => e.code === 'UNKNOWN_SETTING');
  // A stored value that does not satisfy its schema is refused on read, naming the key.
  db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('institution.type', 'hospital', 'now')`).run();
  assert.throws(() => getSetting(db, 'institution.type'), (e: Error & { code?: string }) => e.code === 'SETTINGS_INVALID' && /institution\.type/.test(e.message));
  db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('counter.printers', '{not json', 'now')`).run();
  assert.throws(() => getSetting(db, 'counter.printers'), (e: Error & { code?: string }) => e.code === 'SETTINGS_INVALID');
  db.close();
});

test('the institution is read once and cached, and re-read after a write here or by another connection', () => {
  const path = dir();
  const db = openDatabase(path);
  assert.equal(getInstitution(db), null);
  setInstitution(db, INSTITUTION);
  const first = requireInstitution(db);
  assert.equal(first.name, '临翔区某卫生院');
  assert.equal(requireInstitution(db), first, 'the second read is the cached object');
  setInstitution(db, { name: '临翔区另一卫生院' });
  assert.equal(requireInstitution(db).name, '临翔区另一卫生院', 'a write through the accessor drops the cache');
  // Another connection (the CLI while the counter runs) changes the level.
  const other = openDatabase(path);
  setInstitution(other, { level: 2 });
  other.close();
  assert.equal(requireInstitution(db).level, 2, 'a commit by another connection is seen');
  setInstitution(db, { annualCap: '800' });
  assert.equal(requireInstitution(db).annualCap, '800');
  setInstitution(db, { annualCap: null });
  assert.equal(requireInstitution(db).annualCap, null);
  db.close();
});
