// Migration 97 on a real SQLite file: the catalog gains the usual daily dose and the split-pack
// flag; rows from before read as "dose unknown, whole packages only", and the flag holds 0 or 1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { getCatalogItem } from '../../core/store/catalog.ts';

test('migration 97: existing catalog rows get no usual dose and whole packages only; split_pack holds 0 or 1', () => {
  const path = mkdtempSync(join(tmpdir(), 'lbc-dose-mig-'));
  const before = openDatabase(path, { targetVersion: 95 });
  before.prepare(`INSERT INTO catalog (code, generic_name, category, vbp, negotiated, essential, consistency, demo, pinyin, content_hash, updated_at)
    VALUES ('XC08CAA001A001010100000', '氨氯地平片', 'antihypertensive', 1, 0, 0, 0, 0, 'aldpp', 'h', '2026-01-01T00:00:00Z')`).run();
  assert.throws(() => before.prepare('SELECT usual_daily_dose FROM catalog').get(), /no such column/);
  before.close();

  const db = openDatabase(path);
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 97);
  const item = getCatalogItem(db, 'XC08CAA001A001010100000')!;
  assert.equal(item.usual_daily_dose, null);
  assert.equal(item.split_pack, false);
  assert.throws(() => db.prepare(`UPDATE catalog SET split_pack = 2`).run(), /CHECK constraint/);
  db.prepare(`UPDATE catalog SET split_pack = 1, usual_daily_dose = '0.5'`).run();
  assert.equal(getCatalogItem(db, 'XC08CAA001A001010100000')!.split_pack, true);
  db.close();
});
