// The data directory and database files are owner-only: they hold full ID numbers and names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, DB_FILE_NAME } from '../../core/store/db.ts';
import { JOURNAL_KEY_FILE } from '../../core/store/journal-key.ts';
import { settleSale } from '../helpers/settlement.ts';

// A permissive umask, as on a stock desktop: the modes below must come from the counter, not from the test's umask.
process.umask(0o022);

test('a new data directory is 0700 and counter.sqlite, -wal and -shm are 0600', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'lbc-modes-')), 'data');
  const db = openDatabase(dir);
  try {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`]) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  } finally {
    db.close();
  }
});

test('after a close (SQLite removes -wal and -shm) a reopened database writes them 0600 again; journal.key is 0600', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'lbc-modes-')), 'data');
  openDatabase(dir).close();
  assert.equal(existsSync(join(dir, `${DB_FILE_NAME}-wal`)), false, 'a clean close removes the WAL');
  const db = openDatabase(dir);
  try {
    settleSale(db);
    for (const f of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`, JOURNAL_KEY_FILE]) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  } finally {
    db.close();
  }
});

test('GET /% (a malformed percent-escape) answers 400 over real HTTP, not 500', async () => {
  const { startCounter } = await import('../../core/app/counter.ts');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'lbc-pct-'));
  const web = join(dir, 'web');
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>counter</title>');
  const c = await startCounter({ dataDir: join(dir, 'data'), staticDir: web, uploader: null });
  try {
    for (const p of ['/%', '/%E0%A4%A', '/assets/%zz.js']) {
      const res = await fetch(`${c.url}${p}`);
      assert.equal(res.status, 400, p);
      await res.text();
    }
  } finally {
    await c.close();
  }
});
