// One roster load in a process of its own, so its peak memory (process.resourceUsage().maxRSS)
// is the import's and nothing else's. Run by bench/suites/data.ts:
//   node --import tsx bench/import-child.ts import DBDIR parallel|single FILE [FILE…]
//     imports the files one after another into DBDIR (the first into an empty roster)
//   node --import tsx bench/import-child.ts bare DBDIR FILE
//     the physical baseline: the same rows read in the same 1 MB chunks, split on commas with
//     no validation, and inserted 50 to a statement into the same table in one transaction,
//     lookup indexes dropped and rebuilt as the importer does on a first load
// Prints one JSON line: { ms: [per file], cpuMs: [per file], rows, inserted, unchanged, rejected, maxRssMb }.
// CPU time beside wall time: on a shared machine the wall time mostly measures the neighbours.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { openDatabase } from '../core/store/db.ts';
import { importRosterFile } from '../core/import/roster.ts';
import { PATIENT_LOOKUP_INDEXES } from '../core/store/migrations/0081_patient_lookup_indexes.ts';

const [mode, dir, ...rest] = process.argv.slice(2);
/** CPU milliseconds of the process (all threads) since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return Math.round((u.user + u.system) / 1000);
};
const db = openDatabase(dir!);
const out: { ms: number[]; cpuMs: number[]; rows: number; inserted: number; unchanged: number; rejected: number; maxRssMb: number } = { ms: [], cpuMs: [], rows: 0, inserted: 0, unchanged: 0, rejected: 0, maxRssMb: 0 };

if (mode === 'import') {
  const [how, ...files] = rest;
  for (const file of files) {
    const t = performance.now();
    const c = process.cpuUsage();
    const r = importRosterFile(db, file, { parallel: how === 'parallel' });
    out.ms.push(Math.round(performance.now() - t));
    out.cpuMs.push(cpuSince(c));
    out.rows += r.rows;
    out.inserted += r.inserted;
    out.unchanged += r.unchanged;
    out.rejected += r.rejected;
  }
} else if (mode === 'bare') {
  const file = rest[0]!;
  const t = performance.now();
  const c0 = process.cpuUsage();
  const COLS = ['psn_no', 'certno', 'card_no', 'name', 'insutype', 'region', 'conditions', 'management_class', 'flagged_date', 'flagged_by', 'status', 'stopped_date', 'content_hash', 'updated_at'];
  const WIDTH = COLS.length;
  const BATCH = 50;
  const sql = (n: number) => `INSERT INTO patients (${COLS.join(', ')}) VALUES ${new Array(n).fill(`(${new Array(WIDTH).fill('?').join(', ')})`).join(', ')}`;
  const many = db.prepare(sql(BATCH));
  const one = db.prepare(sql(1));
  const now = new Date().toISOString();
  const batch: unknown[] = new Array(BATCH * WIDTH);
  let queued = 0;
  const insertLine = (line: string) => {
    const c = line.split(',');
    const o = queued * WIDTH;
    for (let i = 0; i < 11; i++) batch[o + i] = c[i] === '' ? null : c[i];
    batch[o + 11] = c[13] ? c[13] : null;
    batch[o + 12] = '';
    batch[o + 13] = now;
    if (++queued === BATCH) {
      many.run(batch);
      queued = 0;
    }
  };
  db.exec('BEGIN IMMEDIATE');
  for (const sqlText of PATIENT_LOOKUP_INDEXES) db.exec(`DROP INDEX IF EXISTS ${sqlText.split(' ')[2]}`);
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const utf8 = new StringDecoder('utf8');
  let carry = '';
  let header = true;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = carry + utf8.write(buf.subarray(0, n));
    const lines = text.split('\n');
    carry = lines.pop()!;
    for (const line of lines) {
      if (header) {
        header = false;
        continue;
      }
      if (line !== '') insertLine(line);
      out.rows++;
    }
  }
  closeSync(fd);
  if (carry !== '') (insertLine(carry), out.rows++);
  for (let i = 0; i < queued; i++) one.run(batch.slice(i * WIDTH, (i + 1) * WIDTH));
  for (const sqlText of PATIENT_LOOKUP_INDEXES) db.exec(sqlText);
  db.exec('COMMIT');
  out.inserted = out.rows;
  out.ms.push(Math.round(performance.now() - t));
  out.cpuMs.push(cpuSince(c0));
} else {
  throw new Error(`unknown mode ${mode}`);
}
db.close();
out.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(JSON.stringify(out) + '\n');
