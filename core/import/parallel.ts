// A first load of a roster file (empty table) on two cores (see canImportInParallel): a worker
// thread decodes, splits and validates (roster-worker.ts) while this thread only inserts. The
// import stays synchronous: this thread blocks on Atomics.wait and takes each chunk with
// receiveMessageOnPort, all inside one transaction, so nothing else runs on this connection
// meanwhile. Same rules, same report as the single-threaded path (test/store/data-parallel).
// On by default for large first loads on an idle machine: it costs ~15% more CPU than one
// thread in all and finishes ~25% sooner; `parallel: false` (CLI `--single-thread`) keeps one.
// If the worker cannot start, the import falls back to one thread (core/import/roster.ts).
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { InputError } from '../contract/problems.ts';
import type { DB } from '../store/db.ts';
import { ROW_WIDTH, RosterWriter, countPatients, type DuplicateRow } from '../store/roster.ts';
import type { Encoding } from './decode.ts';
import { rejectionRecorder, type ImportOptions, type ImportReport } from './engine.ts';
import type { WorkerInput, WorkerMessage } from './roster-worker.ts';

const WORKER = fileURLToPath(new URL('./roster-worker-boot.mjs', import.meta.url));

/** Auto mode starts the worker for files this big: below it, starting a thread costs more than it saves. */
const AUTO_MIN_BYTES = 16 << 20;

/**
 * Parallel only makes sense for a first load (no existing rows to compare with). `parallel:
 * true` asks for it, `false` refuses it, and left out it is chosen for a first load of a large
 * file (16 MB, ~150,000 rows) on a machine with two or more cores that are not already busy:
 * with the 1-minute load average above cores − 0.5 the two threads wait for each other and
 * one thread finishes sooner (measured on 2 cores: at load ~1.4, 5.3 s against 7.1 s; at load
 * ~3, 9 s against 7.2 s).
 */
export function canImportInParallel(db: DB, file: string, options: ImportOptions, load = loadavg()[0]!): boolean {
  if (options.parallel === false || countPatients(db) !== 0) return false;
  if (options.parallel === true) return true;
  const cores = availableParallelism();
  if (cores < 2 || load > cores - 0.5) return false;
  try {
    return statSync(file).size >= AUTO_MIN_BYTES;
  } catch {
    return false; // the single-threaded path reports the unreadable file
  }
}

/** The worker could not start (e.g. a build without the TypeScript loader): nothing was written. */
export class WorkerStartError extends Error {}

export function importRosterParallel(db: DB, file: string, options: ImportOptions = {}): ImportReport {
  const started = performance.now();
  const signalBuffer = new SharedArrayBuffer(8);
  const signal = new Int32Array(signalBuffer);
  const { port1, port2 } = new MessageChannel();
  const now = (options.now ?? (() => new Date()))().toISOString();
  const input: WorkerInput = {
    file,
    port: port2,
    signal: signalBuffer,
    // Small chunks: each message's values die young on this thread (20,000-row chunks cost
    // ~1.5 s of garbage collection here; 200-row ones almost none).
    chunkRows: 200,
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.mapping ? { mapping: options.mapping } : {}),
    ...(options.format ? { format: options.format } : {}),
  };
  // A large young generation: the worker makes a few short-lived strings per cell.
  const worker = new Worker(WORKER, { workerData: input, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  const maxRejections = options.maxRejections ?? 10000;
  const report: ImportReport = {
    kind: 'roster', format: 'csv', encoding: 'utf8', rows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, rolledBack: false,
    ignoredColumns: [], absentFields: [], rejections: [], rejectionsTruncated: false, ms: 0, rowsPerSecond: 0,
  };
  const reject = rejectionRecorder(report, maxRejections);

  const duplicates = (dups: DuplicateRow[]) => {
    for (const d of dups) {
      report.inserted--;
      reject(d.line, d.psnNo, [{ path: 'psn_no', code: 'DUPLICATE_IN_FILE', message: `psn_no ${d.psnNo} appears earlier in this file; the earlier row was kept`, messageZh: `人员编号 ${d.psnNo} 在本文件中重复，已保留前一行` }]);
    }
  };

  let consumed = 0;
  const next = (): WorkerMessage => {
    for (let waited = 0; ; ) {
      const m = receiveMessageOnPort(port1);
      if (m) {
        consumed++;
        Atomics.store(signal, 1, consumed);
        Atomics.notify(signal, 1);
        return m.message as WorkerMessage;
      }
      // Block until the worker posts (it bumps signal[0]); give up if it goes silent.
      if (Atomics.wait(signal, 0, consumed, 1000) === 'timed-out' && (waited += 1000) > 120000) throw new Error('the import worker stopped responding');
    }
  };

  const writer = new RosterWriter(db);
  let started1 = false;
  db.exec('BEGIN IMMEDIATE');
  let open = true;
  try {
    writer.beginBulk();
    for (;;) {
      const m = next();
      if (m.type === 'error') {
        if (m.input) throw new InputError(m.code, m.message, m.messageZh, m.problems);
        if (!started1) throw new WorkerStartError(m.message);
        throw new Error(m.message);
      }
      if (m.type === 'header') {
        started1 = true;
        report.format = m.format;
        report.ignoredColumns = m.ignored;
        report.absentFields = m.absentFields;
        continue;
      }
      if (m.type === 'done') {
        report.encoding = m.encoding as Encoding;
        break;
      }
      report.rows += m.rows;
      for (const r of m.rejected) reject(r.line, r.key, r.problems);
      for (let i = 0, off = 0; i < m.lines.length; i++, off += ROW_WIDTH) {
        report.inserted++;
        const dups = writer.queueValues(m.values, off, now, m.lines[i]!, m.poolUsed[i]!, m.poolAsOf[i]!);
        if (dups !== null) duplicates(dups);
      }
      options.onProgress?.({ rows: report.rows, fraction: m.fraction, elapsedMs: performance.now() - started });
    }
    const dups = writer.flushNew();
    if (dups !== null) duplicates(dups);
    writer.endBulk();
    if (options.strict && report.rejected > 0) {
      db.exec('ROLLBACK');
      report.rolledBack = true;
      report.inserted = 0;
    } else db.exec('COMMIT');
    open = false;
  } finally {
    if (open) db.exec('ROLLBACK');
    void worker.terminate();
    port1.close();
  }
  report.rejections.sort((a, b) => a.line - b.line);
  report.ms = Math.round(performance.now() - started);
  report.rowsPerSecond = report.ms > 0 ? Math.round((report.rows / report.ms) * 1000) : report.rows;
  return report;
}
