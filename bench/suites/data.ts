// Local data at bureau scale: roster import at 1,000,000 rows, each load in a child process for
// its peak RSS (first load on one and two cores, the re-import of the same file, all unchanged,
// the same rows as five files into a growing roster, beside a bare SQLite load of the rows), patient lookup p99 at 1,000,000 patients, catalog search p99 at
// 300,000 items (the national code database has about 270,000), nextReceiptNo at 1,000,000
// receipts (LBC_BENCH_RECEIPTS overrides). `--quick` uses small sizes.
// LBC_BENCH_DATA=import runs only the roster import figures (first load, two-core first load,
// re-import) at full size, skipping lookup and catalog search: the quick loop while tuning
// the import (`LBC_BENCH_DATA=import npm run --silent bench -- --only data --json`).
// LBC_BENCH_ROSTER_ROWS overrides the roster size.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { importRosterFile } from '../../core/import/roster.ts';
import { canImportInParallel } from '../../core/import/parallel.ts';
import { importCatalogFile } from '../../core/import/catalog.ts';
import { CATALOG_HEADER, ROSTER_HISTORY_HEADER, catalogCsvRows, rosterCsvRows, rosterCertno, syntheticDrugCode, ean13 } from '../../core/import/synthetic.ts';
import { searchCatalog } from '../../core/store/catalog.ts';
import { setInstitution } from '../../core/store/settings.ts';
import { lookupPatient } from '../../core/patient/index.ts';
import { nextReceiptNo } from '../../core/store/journal.ts';
import { loadPolicyBook } from '../../core/policy/index.ts';
import type { BenchSuite } from '../harness.ts';
import { percentile, round } from '../harness.ts';

async function writeCsv(file: string, header: string, total: number, rows: (from: number, to: number) => string): Promise<void> {
  const out = createWriteStream(file);
  out.write(header + '\n');
  for (let i = 0; i < total; i += 50000) {
    if (!out.write(rows(i, Math.min(total, i + 50000)) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const CHILD = fileURLToPath(new URL('../import-child.ts', import.meta.url));

interface ChildRun {
  ms: number[];
  cpuMs: number[];
  rows: number;
  inserted: number;
  unchanged: number;
  rejected: number;
  maxRssMb: number;
}

/** A roster load in its own process (bench/import-child.ts): its time and its peak RSS alone. */
function child(args: string[]): ChildRun {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', CHILD, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildRun;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function timeEach(n: number, fn: (i: number) => void): number[] {
  for (let i = 0; i < Math.min(200, n); i++) fn(i); // warm up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return samples;
}

/** The project's lookup by ID number beside a bare indexed read of the record on the same file. */
function measureLookup(db: ReturnType<typeof openDatabase>, book: ReturnType<typeof loadPolicyBook>, patients: number, suffix: string, log: (l: string) => void): Record<string, number> {
  // Each measurement on its own random patients, so neither reads pages the other just brought in.
  const pick = (n: number) => Array.from({ length: n }, () => rosterCertno(Math.floor(Math.random() * patients)));
  const ids = pick(3000);
  const bareIds = pick(3000);
  const bare = db.prepare('SELECT * FROM patients WHERE certno = ? LIMIT 1');
  // Warm both code paths (the JIT needs a few thousand calls of the project's) on other patients.
  for (const id of pick(5000)) {
    lookupPatient(db, book, id, '2024-08-01');
    bare.get(id);
  }
  const lookups = timeEach(ids.length, (i) => lookupPatient(db, book, ids[i]!, '2024-08-01'));
  const bareLookups = timeEach(bareIds.length, (i) => bare.get(bareIds[i]!));
  const f = {
    [`lookup${suffix}_p50_ms`]: round(percentile(lookups, 50), 3),
    [`lookup${suffix}_p99_ms`]: round(percentile(lookups, 99), 3),
    [`lookup_bare${suffix}_p50_ms`]: round(percentile(bareLookups, 50), 3),
    [`lookup_bare${suffix}_p99_ms`]: round(percentile(bareLookups, 99), 3),
  };
  const [p50, p99, b50, b99] = Object.values(f);
  // SQL statements one lookup runs (counted on better-sqlite3's Statement methods).
  const proto = Object.getPrototypeOf(bare) as Record<string, (...a: unknown[]) => unknown>;
  const saved = ['get', 'all', 'run', 'iterate'].map((m) => [m, proto[m]!] as const);
  let statements = 0;
  for (const [m, fn] of saved) proto[m] = function (this: unknown, ...a: unknown[]) { statements++; return fn.apply(this, a); };
  try {
    lookupPatient(db, book, ids[0]!, '2024-08-01');
  } finally {
    for (const [m, fn] of saved) proto[m] = fn;
  }
  f[`lookup${suffix}_statements`] = statements;
  log(`lookup at ${patients.toLocaleString('en')} patients: p50 ${p50} ms, p99 ${p99} ms, ${statements} SQL statements (target p99 < 0.2 ms; bare indexed lookup on the same file: p50 ${b50} ms, p99 ${b99} ms; load ${loadavg()[0]!.toFixed(2)})`);
  return f;
}

export const dataSuite: BenchSuite = {
  name: 'data',
  async run({ quick, log }) {
    const patients = Number(process.env.LBC_BENCH_ROSTER_ROWS) || (quick ? 50_000 : 1_000_000);
    const importOnly = process.env.LBC_BENCH_DATA === 'import';
    const items = quick ? 30_000 : 300_000;
    const dir = mkdtempSync(join(tmpdir(), 'lbc-bench-data-'));
    const figures: Record<string, number> = {};
    try {
      const rosterFile = join(dir, 'roster.csv');
      // Unique ID numbers, 4% of them also with an older stopped record (rows = patients + history).
      await writeCsv(rosterFile, ROSTER_HISTORY_HEADER, patients, (a, b) => rosterCsvRows(a, b, '530902', { historyEvery: 25 }));
      const rows = patients + Math.ceil(patients / 25);
      const db = openDatabase(join(dir, 'db'));
      setInstitution(db, { code: 'H53090200001', name: 'bench', type: 'clinic', level: 1, policy: 'lincang', region: '530902' });

      // Each load in a child process of its own, for its peak RSS: the bare SQLite load of the
      // same rows (the physical baseline), a first load on one thread followed by a re-import
      // of the same file (all unchanged), a first load on two cores, and the same rows as five
      // files imported one after another (the last four into a non-empty roster).
      const parts = 5;
      const partFiles: string[] = [];
      for (let k = 0; k < parts; k++) {
        const f = join(dir, `roster-part-${k}.csv`);
        const a = Math.floor((patients * k) / parts);
        const b = Math.floor((patients * (k + 1)) / parts);
        await writeCsv(f, ROSTER_HISTORY_HEADER, b - a, (x, y) => rosterCsvRows(a + x, a + y, '530902', { historyEvery: 25 }));
        partFiles.push(f);
      }
      const bare = child(['bare', join(dir, 'db-bare'), rosterFile]);
      rmSync(join(dir, 'db-bare'), { recursive: true, force: true });
      const one = child(['import', join(dir, 'db-single'), 'single', rosterFile, rosterFile]);
      rmSync(join(dir, 'db-single'), { recursive: true, force: true });
      if (one.inserted !== rows || one.unchanged !== rows) throw new Error(`single-thread import: ${one.inserted} inserted, ${one.unchanged} unchanged of ${rows}`);
      const par = child(['import', join(dir, 'db-parallel'), 'parallel', rosterFile]);
      rmSync(join(dir, 'db-parallel'), { recursive: true, force: true });
      if (par.inserted !== rows) throw new Error(`parallel import inserted ${par.inserted} of ${rows}`);
      const chunked = child(['import', join(dir, 'db-chunked'), 'single', ...partFiles]);
      rmSync(join(dir, 'db-chunked'), { recursive: true, force: true });
      if (chunked.inserted !== rows) throw new Error(`chunked import inserted ${chunked.inserted} of ${rows}: ${chunked.rejected} rejected`);
      for (const f of partFiles) rmSync(f, { force: true });
      const firstMs = one.ms[0]!;
      const la = () => `load ${loadavg()[0]!.toFixed(2)}`;
      figures.roster_rows = rows;
      figures.roster_bare_load_seconds = round(bare.ms[0]! / 1000, 2);
      figures.roster_bare_load_peak_rss_mb = bare.maxRssMb;
      figures.roster_import_single_thread_seconds = round(firstMs / 1000, 2);
      figures.roster_import_vs_bare = round(firstMs / bare.ms[0]!, 2);
      figures.roster_bare_load_cpu_seconds = round(bare.cpuMs[0]! / 1000, 2);
      figures.roster_import_single_thread_cpu_seconds = round(one.cpuMs[0]! / 1000, 2);
      figures.roster_import_vs_bare_cpu = round(one.cpuMs[0]! / bare.cpuMs[0]!, 2);
      figures.roster_import_peak_rss_mb = one.maxRssMb;
      figures.roster_reimport_seconds = round(one.ms[1]! / 1000, 2);
      figures.roster_reimport_rows_per_s = Math.round((rows / one.ms[1]!) * 1000);
      figures.roster_import_parallel_seconds = round(par.ms[0]! / 1000, 2);
      figures.roster_import_parallel_rows_per_s = Math.round((rows / par.ms[0]!) * 1000);
      figures.roster_import_parallel_peak_rss_mb = par.maxRssMb;
      figures.roster_import_into_nonempty_seconds = round(sum(chunked.ms) / 1000, 2);
      figures.roster_import_into_nonempty_vs_first = round(sum(chunked.ms) / firstMs, 2);
      figures.roster_import_into_nonempty_cpu_seconds = round(sum(chunked.cpuMs) / 1000, 2);
      figures.roster_import_into_nonempty_vs_first_cpu = round(sum(chunked.cpuMs) / one.cpuMs[0]!, 2);
      figures.roster_import_into_nonempty_peak_rss_mb = chunked.maxRssMb;
      log(`bare SQLite load of the same ${rows.toLocaleString('en')} rows (split on commas, 50 per INSERT, one transaction): ${bare.ms[0]} ms (cpu ${bare.cpuMs[0]} ms), peak RSS ${bare.maxRssMb} MB (${la()})`);
      log(`roster import, one thread, first load: ${firstMs} ms = ${figures.roster_import_vs_bare}× the bare load (cpu ${one.cpuMs[0]} ms = ${figures.roster_import_vs_bare_cpu}×; target ≤ 1.2×), peak RSS ${one.maxRssMb} MB (${la()})`);
      log(`roster re-import of the same file (all unchanged): ${one.ms[1]} ms (${figures.roster_reimport_rows_per_s.toLocaleString('en')} rows/s; ${la()})`);
      log(`roster import, two cores (--parallel), first load: ${par.ms[0]} ms, peak RSS ${par.maxRssMb} MB (${la()})`);
      log(`roster import as ${parts} files into a growing roster: ${sum(chunked.ms)} ms (${chunked.ms.join(' + ')}) = ${figures.roster_import_into_nonempty_vs_first}× the first load (cpu ${sum(chunked.cpuMs)} ms = ${figures.roster_import_into_nonempty_vs_first_cpu}×; target ≤ 1.5×), peak RSS ${chunked.maxRssMb} MB (${la()})`);

      // The roster import as the CLI runs it (a large first load on idle cores uses the second
      // one), in this process: the roster the lookups below read.
      const load = loadavg()[0]!;
      const autoParallel = canImportInParallel(db, rosterFile, {}, load);
      const cpu = process.cpuUsage();
      const first = importRosterFile(db, rosterFile);
      const cpuUsed = process.cpuUsage(cpu);
      if (first.inserted !== rows) throw new Error(`roster import inserted ${first.inserted} of ${patients}: ${JSON.stringify(first.rejections.slice(0, 3))}`);
      log(`roster import (${autoParallel ? 'two cores' : 'one thread'} chosen at load average ${load.toFixed(2)}): ${rows.toLocaleString('en')} rows in ${first.ms} ms (${first.rowsPerSecond.toLocaleString('en')} rows/s, target 1,000,000 in < 5 s)`);
      figures.roster_import_seconds = round(first.ms / 1000, 2);
      figures.roster_import_rows_per_s = first.rowsPerSecond;
      // CPU seconds of the process (all threads): what the import costs on an idle machine
      // (wall time on a shared 2-core box includes waiting for a core).
      figures.roster_import_cpu_seconds = round((cpuUsed.user + cpuUsed.system) / 1e6, 2);
      log(`  (cpu ${figures.roster_import_cpu_seconds} s)`);
      if (importOnly) {
        db.close();
        return figures;
      }

      // Lookup by ID number (identify → roster → policy → ledger), random patients, at this size and
      // (full runs) on separate rosters of 100,000 and, with LBC_BENCH_LOOKUP_3M=1, 3,000,000 patients.
      const book = loadPolicyBook(undefined);
      Object.assign(figures, measureLookup(db, book, patients, '', log));
      const extra = quick ? [] : [100_000, ...(process.env.LBC_BENCH_LOOKUP_3M === '1' ? [3_000_000] : [])].filter((n) => n !== patients);
      for (const n of extra) {
        const file = join(dir, `roster-${n}.csv`);
        await writeCsv(file, ROSTER_HISTORY_HEADER, n, (a, b) => rosterCsvRows(a, b, '530902', { historyEvery: 25 }));
        const other = openDatabase(join(dir, `db-${n}`));
        setInstitution(other, { code: 'H53090200001', name: 'bench', type: 'clinic', level: 1, policy: 'lincang', region: '530902' });
        importRosterFile(other, file);
        rmSync(file, { force: true });
        Object.assign(figures, measureLookup(other, book, n, `_${n}`, log));
        other.close();
      }

      // nextReceiptNo on a journal of `receipts` sales spread over a year (the first sale of a day and a back-dated
      // sale both ask it); beside it the former max() … LIKE query, which scans every receipt.
      const receipts = Number(process.env.LBC_BENCH_RECEIPTS) || (quick ? 50_000 : 1_000_000);
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${receipts})
        INSERT INTO settlement (id, kind, receipt_no, settle_date, settled_at, institution_code, institution_name, institution_type,
          institution_level, psn_no, patient_json, operator_id, operator_name, policy_id, policy_version, total, in_scope, fund,
          patient_pay, request_json, result_json, prev_hash, hash)
        SELECT 'b' || i, 'sale', 'S' || replace(date('2024-01-01', '+' || (i % 365) || ' days'), '-', '') || printf('%05d', i / 365 + 1),
          date('2024-01-01', '+' || (i % 365) || ' days'), '2024-01-01T00:00:00Z', 'H53090200001', 'bench', 'clinic', 1, 'P' || i, '{}',
          'op', 'op', 'lincang', '1', '1.00', '1.00', '0.50', '0.50', '{}', '{}', 'h' || (i - 1), 'h' || i FROM n`);
      const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
      const receiptTimes = timeEach(days.length, (i) => nextReceiptNo(db, days[i]!, i % 2 ? 'T' : 'S'));
      const like = db.prepare('SELECT max(receipt_no) AS last FROM settlement WHERE receipt_no LIKE ?');
      const likeTimes = timeEach(50, (i) => like.get(`S${days[i]!.replaceAll('-', '')}%`));
      figures.receipts = receipts;
      figures.next_receipt_no_p50_ms = round(percentile(receiptTimes, 50), 3);
      figures.next_receipt_no_p99_ms = round(percentile(receiptTimes, 99), 3);
      figures.next_receipt_no_former_like_p50_ms = round(percentile(likeTimes, 50), 3);
      log(`nextReceiptNo at ${receipts.toLocaleString('en')} receipts: p50 ${figures.next_receipt_no_p50_ms} ms, p99 ${figures.next_receipt_no_p99_ms} ms (former max() … LIKE: p50 ${figures.next_receipt_no_former_like_p50_ms} ms; load ${loadavg()[0]!.toFixed(2)})`);

      const catalogFile = join(dir, 'catalog.csv');
      await writeCsv(catalogFile, CATALOG_HEADER, items, (a, b) => catalogCsvRows(a, b));
      const cat = importCatalogFile(db, catalogFile);
      if (cat.inserted !== items) throw new Error(`catalog import inserted ${cat.inserted} of ${items}: ${JSON.stringify(cat.rejections.slice(0, 3))}`);
      figures.catalog_items = items;
      figures.catalog_import_seconds = round(cat.ms / 1000, 2);
      log(`catalog import: ${items.toLocaleString('en')} items in ${cat.ms} ms`);
      // The counter's search box: pinyin initials, Chinese fragments, codes, own codes, barcodes.
      const queries: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const k = Math.floor(Math.random() * items);
        queries.push(
          [
            'aldp', 'ejsg', 'xst', 'gl', 'mtle', 'yndpa', '地平', '二甲双胍', '格列', '沙坦胶囊', '缓释片', '商品12',
            syntheticDrugCode(k % 7 === 0 ? 'Z' : 'X', k), syntheticDrugCode('X', k).slice(0, 12), `OWN${k}`, ean13(`69${String(k).padStart(10, '0')}`),
          ][i % 16]!,
        );
      }
      const searches = timeEach(queries.length, (i) => searchCatalog(db, queries[i]!, { limit: 20, region: '530902' }));
      figures.search_p50_ms = round(percentile(searches, 50), 3);
      figures.search_p99_ms = round(percentile(searches, 99), 3);
      log(`catalog search at ${items.toLocaleString('en')} items: p50 ${figures.search_p50_ms} ms, p99 ${figures.search_p99_ms} ms (target p99 < 5 ms)`);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};
