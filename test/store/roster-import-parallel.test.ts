// The opt-in two-core roster load gives exactly what the single-threaded importer gives:
// same rows, same hashes (so a re-import is all unchanged), same rejections, strict rollback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { importRosterFile } from '../../core/import/roster.ts';
import { canImportInParallel } from '../../core/import/parallel.ts';
import { ROSTER_HEADER, rosterCsvRows, syntheticCertno } from '../../core/import/synthetic.ts';
import { parseMapping } from '../../core/import/mapping.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lbc-data-par-'));
const dump = (db: DB) => ({
  patients: db.prepare('SELECT * FROM patients ORDER BY psn_no').all().map((r) => ({ ...(r as object), updated_at: null })),
  reports: db.prepare('SELECT * FROM pool_reports ORDER BY psn_no, pool').all(),
});

function fileWith(lines: string[], encode = false): string {
  const file = join(tmp(), 'roster.csv');
  const text = lines.join('\n') + '\n';
  writeFileSync(file, encode ? iconv.encode(text, 'gbk') : text);
  return file;
}

test('parallel and single-threaded loads agree on rows, hashes, rejections and duplicates', () => {
  const id = syntheticCertno('530902', '19560312', 21);
  const lines = [ROSTER_HEADER, rosterCsvRows(0, 45000), `BAD1,${id.slice(0, 17)}0,K1,张三,390,530902,高血压,,,,active,,`, rosterCsvRows(10, 11), `"Q1",${id},,"张,三",390,530902,"高血压,糖尿病",2,2024-03-01,bureau,active,12.5,2024-06-30`];
  const file = fileWith(lines);
  const single = openDatabase(tmp());
  const par = openDatabase(tmp());
  const a = importRosterFile(single, file);
  const b = importRosterFile(par, file, { parallel: true });
  const strip = (r: typeof a) => ({ ...r, ms: 0, rowsPerSecond: 0 });
  assert.deepEqual(strip(b), strip(a));
  assert.equal(a.inserted, 45001);
  assert.deepEqual(a.rejections.map((r) => r.code).sort(), ['CHECK_DIGIT', 'DUPLICATE_IN_FILE'].sort());
  assert.deepEqual(dump(par), dump(single));
  // The hashes the worker stored make the next (single-threaded) import all unchanged.
  const again = importRosterFile(par, file);
  assert.equal(again.unchanged, 45001);
});

test('parallel: GBK with a mapping, strict rollback, header errors surface as InputError', () => {
  const id = syntheticCertno('530902', '19560312', 21);
  const file = fileWith(['个人编码,证件号码,参保人,险种类别,慢病', `P1,${id},张三,居民,高血压`, `P2,${id},李四,居民,癫痫`], true);
  const mapping = parseMapping({ columns: { psn_no: '个人编码', certno: '证件号码', name: '参保人', insutype: '险种类别', conditions: '慢病' } });
  const db = openDatabase(tmp());
  const strict = importRosterFile(db, file, { parallel: true, mapping, strict: true });
  assert.deepEqual([strict.rolledBack, strict.inserted, strict.rejected, strict.encoding], [true, 0, 1, 'gb18030']);
  assert.equal((db.prepare('SELECT count(*) AS n FROM patients').get() as { n: number }).n, 0);
  const ok = importRosterFile(db, file, { parallel: true, mapping });
  assert.deepEqual([ok.inserted, ok.rejected], [1, 1]);
  assert.throws(() => importRosterFile(openDatabase(tmp()), fileWith(['name,certno', '张三,1']), { parallel: true }), (e) => (e as { code?: string }).code === 'KEY_COLUMN_MISSING');
});

test('parallel is chosen for large first loads only, and can be forced either way', () => {
  const small = fileWith([ROSTER_HEADER, rosterCsvRows(0, 10)]);
  const db = openDatabase(tmp());
  assert.equal(canImportInParallel(db, small, {}, 0), false, 'a small file stays on one thread');
  assert.equal(canImportInParallel(db, small, { parallel: true }), true);
  // A sparse file of 16 MB: only its size is looked at.
  const big = join(tmp(), 'big.csv');
  writeFileSync(big, '');
  truncateSync(big, 16 << 20);
  assert.equal(canImportInParallel(db, big, {}, 0), availableParallelism() >= 2, 'an idle machine with two cores uses both');
  assert.equal(canImportInParallel(db, big, {}, availableParallelism()), false, 'busy cores: one thread');
  assert.equal(canImportInParallel(db, big, { parallel: true }, 99), true);
  assert.equal(canImportInParallel(db, big, { parallel: false }, 0), false);
  assert.equal(canImportInParallel(db, join(tmp(), 'missing.csv'), {}, 0), false, 'the one-thread path reports the unreadable file');
  importRosterFile(db, small, { parallel: false });
  assert.equal(canImportInParallel(db, big, { parallel: true }), false, 'not once the roster has rows (re-imports compare)');
});

test('parallel: a GBK file with quoted line breaks matches one thread, line numbers included', () => {
  // From row 3000 on, every 500th row has a quoted name spanning two lines: line numbers
  // must count the embedded breaks.
  const rows = rosterCsvRows(0, 6000).split('\n').map((r, i) => (i >= 3000 && i % 500 === 7 ? r.replace(/^([^,]*,[^,]*,[^,]*,)([^,]*)/, '$1"$2\n续"') : r));
  const bad = `BAD9,${syntheticCertno('530902', '19560312', 3).slice(0, 17)}0,K9,王五,390,530902,高血压,,,,active,,`;
  const file = fileWith([ROSTER_HEADER, ...rows, bad], true);
  const single = openDatabase(tmp());
  const par = openDatabase(tmp());
  const a = importRosterFile(single, file, { parallel: false });
  const b = importRosterFile(par, file, { parallel: true });
  const strip = (r: typeof a) => ({ ...r, ms: 0, rowsPerSecond: 0 });
  assert.deepEqual(strip(b), strip(a));
  assert.equal(b.encoding, 'gb18030');
  assert.ok(b.rejected >= 1 && b.rejections.some((r) => r.key === 'BAD9' && r.code === 'CHECK_DIGIT'));
  // The last line's number counts every embedded line break before it.
  const lastLine = 1 + rows.length + rows.filter((r) => r.includes('\n')).length + 1;
  assert.equal(b.rejections.find((r) => r.key === 'BAD9')!.line, lastLine);
  assert.deepEqual(dump(par), dump(single));
  assert.equal(b.inserted, 6000);
});
