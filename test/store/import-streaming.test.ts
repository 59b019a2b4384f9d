// The streamed import: text cut into any pieces reads the same records (CSV quotes, CRLF and
// line breaks inside quotes across a cut; JSON records across a cut); an import into a roster
// already on file gives the same table as one first load of the same rows, refuses a key
// repeated in the file whether its first row was still queued or already written, and rebuilds
// the lookup indexes it dropped for a large batch of new patients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CsvReader, csvCell, parseCsv, type CsvRecord } from '../../core/import/csv.ts';
import { JsonRowReader } from '../../core/import/json.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { findPatient } from '../../core/store/roster.ts';
import { importRosterFile } from '../../core/import/roster.ts';
import { ROSTER_HEADER, rosterCertno, rosterCsvRows } from '../../core/import/synthetic.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lbc-import-streaming-'));

/** Pulls `text` in pieces cut at the given offsets. */
function pieces(text: string, cuts: number[]): () => string | null {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const c of at) {
    parts.push(text.slice(from, c));
    from = c;
  }
  parts.push(text.slice(from));
  let i = 0;
  return () => (i < parts.length ? parts[i++]! : null);
}

test('CsvReader: any cutting of the text gives the records of the whole text (quotes, CRLF, breaks inside quotes)', () => {
  const cell = fc.stringMatching(/^[a-z张三",\r\n ]{0,6}$/);
  fc.assert(
    fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.array(fc.nat(), { maxLength: 12 }), (rows, eol, cuts) => {
      const text = rows.map((r) => r.map(csvCell).join(',')).join(eol);
      const whole: CsvRecord[] = [];
      parseCsv(text, (r) => whole.push(r), { delimiter: ',' });
      const reader = new CsvReader(pieces(text, cuts), ',');
      const cut: CsvRecord[] = [];
      for (let r = reader.next(); r !== null; r = reader.next()) cut.push(r);
      assert.deepEqual(cut.map((r) => [r.line, r.cells, r.unterminated ?? false]), whole.map((r) => [r.line, r.cells, r.unterminated ?? false]));
    }),
    { seed: 20261201, numRuns: 300 },
  );
});

test('JsonRowReader: any cutting gives the records JSON.parse gives, from an array or {"rows": [...]}', () => {
  fc.assert(
    fc.property(fc.array(fc.dictionary(fc.constantFrom('psn_no', 'name', 'x'), fc.oneof(fc.string(), fc.integer(), fc.array(fc.string(), { maxLength: 2 }))).map((d) => ({ ...d })), { maxLength: 6 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), (rows, wrapped, cuts) => {
      const text = wrapped ? JSON.stringify({ meta: { n: [1, { a: '}' }] }, rows }, null, 1) : JSON.stringify(rows, null, 2);
      const reader = new JsonRowReader(pieces(text, cuts));
      const got: unknown[] = [];
      for (let r = reader.next(); r !== null; r = reader.next()) got.push(r.value);
      assert.deepEqual(got, rows);
    }),
    { seed: 20261201, numRuns: 300 },
  );
});

const dump = (db: DB) => db.prepare('SELECT * FROM patients ORDER BY psn_no').all().map((r) => ({ ...(r as object), updated_at: null }));

test('into a roster already on file: the same table as one first load, repeated keys refused, lookup indexes rebuilt', () => {
  const dir = tmp();
  const first = join(dir, 'first.csv');
  const second = join(dir, 'second.csv');
  const whole = join(dir, 'whole.csv');
  writeFileSync(first, `${ROSTER_HEADER}\n${rosterCsvRows(0, 10000)}\n`);
  // 30,000 new patients (enough for the importer to drop and rebuild the lookup indexes), one
  // repeated right after its first row (still queued) and one far after (already written), and
  // one patient of the first file twice.
  const rows = rosterCsvRows(10000, 40000).split('\n');
  const again = [rows[5]!, rows[20000]!, rosterCsvRows(7, 8), rosterCsvRows(7, 8)];
  writeFileSync(second, `${ROSTER_HEADER}\n${[...rows.slice(0, 6), again[0], ...rows.slice(6, 25000), again[1], ...rows.slice(25000), again[2], again[3]].join('\n')}\n`);
  writeFileSync(whole, `${ROSTER_HEADER}\n${rosterCsvRows(0, 40000)}\n`);

  const db = openDatabase(join(dir, 'db'));
  assert.equal(importRosterFile(db, first, { parallel: false }).inserted, 10000);
  const r = importRosterFile(db, second, { parallel: false });
  assert.deepEqual([r.inserted, r.unchanged, r.rejected], [30000, 1, 3], JSON.stringify(r.rejections));
  assert.deepEqual(r.rejections.map((x) => [x.line, x.code]), [
    [8, 'DUPLICATE_IN_FILE'],
    [25003, 'DUPLICATE_IN_FILE'],
    [30005, 'DUPLICATE_IN_FILE'],
  ]);
  const once = openDatabase(join(dir, 'db-once'));
  importRosterFile(once, whole, { parallel: false });
  assert.deepEqual(dump(db), dump(once));
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'patients' AND name LIKE 'patients_%' ORDER BY name").all();
  assert.deepEqual(indexes, [{ name: 'patients_card_no' }, { name: 'patients_certno' }, { name: 'patients_ec_token' }]);
  const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM patients WHERE certno = ?').all('x') as { detail: string }[];
  assert.match(plan.map((p) => p.detail).join(' '), /patients_certno/);
  assert.equal(findPatient(db, { certno: rosterCertno(33333) })!.psn_no, `53${String(33333).padStart(14, '0')}`);
  // A refused import that had dropped the indexes leaves them as they were (one transaction).
  writeFileSync(second, `${ROSTER_HEADER}\n${rosterCsvRows(40000, 70000)}\n"unclosed${'x'.repeat(1 << 21)}\n`);
  assert.throws(() => importRosterFile(db, second, { parallel: false }), (e: Error & { code?: string }) => e.code === 'RECORD_TOO_LONG');
  assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'patients' AND name LIKE 'patients_%' ORDER BY name").all(), indexes);
  assert.deepEqual(dump(db), dump(once));
});
