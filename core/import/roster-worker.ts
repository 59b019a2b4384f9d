// The parsing half of a parallel roster load (core/import/parallel.ts), on a second core:
// read and decode the file as it streams in, split, validate, hash, and hand the main thread chunks ready to bind: one flat
// array of ROW_WIDTH values per row as RosterWriter binds them (packRow; structured clone keeps
// each value's type and its own compact string), so the main thread only copies and binds.
import { workerData, type MessagePort } from 'node:worker_threads';
import { ROSTER_FIELDS, validateRosterRow } from '../contract/patient.ts';
import { InputError, type Problem } from '../contract/problems.ts';
import { packRow } from '../store/roster.ts';
import { garbledCell } from './garble.ts';
import { fileInput } from './input.ts';
import { prepareImport } from './engine.ts';
import { contentHash } from './hash.ts';
import type { ColumnMapping } from './mapping.ts';

export interface WorkerInput {
  file: string;
  encoding?: string;
  mapping?: ColumnMapping;
  format?: 'csv' | 'json';
  port: MessagePort;
  /** Int32 [0] chunks posted, [1] chunks consumed (back-pressure: at most 32 chunks ahead). */
  signal: SharedArrayBuffer;
  chunkRows: number;
}

export interface WorkerRejection {
  line: number;
  key: string | null;
  problems: Problem[];
}

export type WorkerMessage =
  | { type: 'header'; format: 'csv' | 'json'; ignored: string[]; absentFields: string[] }
  | {
      type: 'rows';
      /** ROW_WIDTH values per valid row (packRow, for RosterWriter.queueValues). */
      values: unknown[];
      lines: number[];
      /** pool_used and its date per valid row (null when not reported). */
      poolUsed: (string | null)[];
      poolAsOf: (string | null)[];
      rows: number;
      rejected: WorkerRejection[];
      fraction: number;
    }
  /** The encoding is known once the whole file has been read (a file refused half-way posts an error). */
  | { type: 'done'; encoding: string }
  | { type: 'error'; input: boolean; code: string; message: string; messageZh: string; problems: Problem[] };


function run(input: WorkerInput): void {
  const signal = new Int32Array(input.signal);
  const post = (m: WorkerMessage) => {
    while (Atomics.load(signal, 0) - Atomics.load(signal, 1) >= 32) Atomics.wait(signal, 1, Atomics.load(signal, 1), 1000);
    input.port.postMessage(m);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  let prep: ReturnType<typeof prepareImport> | null = null;
  try {
    prep = prepareImport(ROSTER_FIELDS, 'psn_no', fileInput(input.file, input.encoding), { ...(input.format ? { format: input.format } : {}), ...(input.mapping ? { mapping: input.mapping } : {}) });
    const p = prep;
    post({ type: 'header', format: prep.format, ignored: prep.ignored, absentFields: prep.absentFields });
    const width = ROSTER_FIELDS.length;
    const cells: (string | undefined)[] = new Array(width);
    let values: unknown[] = [];
    let lines: number[] = [];
    let poolUsed: (string | null)[] = [];
    let poolAsOf: (string | null)[] = [];
    let rejected: WorkerRejection[] = [];
    let rows = 0;
    let fraction = 0;
    const flush = () => {
      post({ type: 'rows', values, lines, poolUsed, poolAsOf, rows, rejected, fraction });
      values = [];
      lines = [];
      poolUsed = [];
      poolAsOf = [];
      rejected = [];
      rows = 0;
    };
    prep.source.each(
      (row, line, malformed, raw) => {
        rows++;
        const keyCell = row[p.colOf[p.keyIdx]!]?.trim() ?? '';
        const key = keyCell === '' ? null : keyCell;
        if (malformed) {
          rejected.push({ line, key, problems: [{ path: '', code: 'MALFORMED_ROW', message: malformed, messageZh: malformed.startsWith('a quoted') ? '引号未闭合' : '该行的列数与表头不一致' }] });
        } else {
          for (let i = 0; i < width; i++) {
            const c = p.colOf[i]!;
            cells[i] = c === -1 ? undefined : row[c];
          }
          const text = raw ?? row.join('\u001f');
          const garbled = text.includes('\uFFFD') ? garbledCell(ROSTER_FIELDS, cells) : null;
          const problems: Problem[] = garbled === null ? [] : [garbled];
          const r = garbled === null ? validateRosterRow(cells, problems, null) : null;
          if (r === null) rejected.push({ line, key, problems });
          else {
            packRow(r, contentHash(text, p.signature), values, values.length);
            lines.push(line);
            poolUsed.push(r.pool_used);
            poolAsOf.push(r.pool_used_as_of);
          }
        }
        if (rows >= input.chunkRows) flush();
      },
      (f) => {
        fraction = f;
      },
    );
    fraction = 1;
    flush();
    post({ type: 'done', encoding: prep.source.encoding() });
  } catch (e) {
    if (e instanceof InputError) post({ type: 'error', input: true, code: e.code, message: e.message, messageZh: e.messageZh, problems: e.problems });
    else post({ type: 'error', input: false, code: 'INTERNAL', message: (e as Error)?.stack ?? String(e), messageZh: '导入时发生内部错误', problems: [] });
  } finally {
    prep?.source.close();
  }
}

if (workerData) run(workerData as WorkerInput);
