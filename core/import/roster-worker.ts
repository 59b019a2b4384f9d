// The parsing half of a parallel roster load (core/import/parallel.ts), on a second core:
// decode, split, validate, hash, and hand the main thread chunks ready to bind: one flat
// array of ROW_WIDTH values per row as RosterWriter binds them (packRow; structured clone keeps
// each value's type and its own compact string), so the main thread only copies and binds.
import { readFileSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import { ROSTER_FIELDS, validateRosterRow } from '../contract/patient.ts';
import { InputError, type Problem } from '../contract/problems.ts';
import { isUtf8 } from 'node:buffer';
import { decodeBuffer, normalizeEncoding, type Encoding } from './decode.ts';
import { detectDelimiter, parseCsv } from './csv.ts';
import { packRow } from '../store/roster.ts';
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
  /** Decoding piece size in bytes (the first piece is a quarter of it); default 4 MB. */
  pieceBytes?: number;
}

export interface WorkerRejection {
  line: number;
  key: string | null;
  problems: Problem[];
}

export type WorkerMessage =
  | { type: 'header'; format: 'csv' | 'json'; encoding: string; ignored: string[]; absentFields: string[] }
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
  | { type: 'done' }
  | { type: 'error'; input: boolean; code: string; message: string; messageZh: string; problems: Problem[] };


/** decodeBuffer's detection without decoding: a BOM or valid UTF-8 is UTF-8, else GB18030. */
function detectEncoding(buf: Buffer): Encoding {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return 'utf8';
  return isUtf8(buf) ? 'utf8' : 'gb18030';
}


/**
 * Where a piece that starts at a record boundary may end: just after the first line break
 * `size` bytes on, provided the piece holds no quote byte at all (then that break cannot be
 * inside a quoted field, whatever the quoting); otherwise, or near the end, the end of the file.
 * Byte-level search is exact in UTF-8 and GBK/GB18030: neither uses 0x0A or 0x22 inside a
 * character.
 */
function pieceEnd(buf: Buffer, from: number, size: number): number {
  if (buf.length - from < 2 * size) return buf.length;
  const nl = buf.indexOf(10, from + size);
  if (nl === -1) return buf.length;
  const q = buf.indexOf(34, from);
  return q !== -1 && q < nl ? buf.length : nl + 1;
}

function run(input: WorkerInput): void {
  const signal = new Int32Array(input.signal);
  const post = (m: WorkerMessage) => {
    while (Atomics.load(signal, 0) - Atomics.load(signal, 1) >= 32) Atomics.wait(signal, 1, Atomics.load(signal, 1), 1000);
    input.port.postMessage(m);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  try {
    // Decode piece by piece (the first ~1 MB, then 4 MB at a time) so rows reach the main
    // thread before the whole file is decoded and the worker never stalls it for long.
    const buf = readFileSync(input.file);
    const encoding = input.encoding ? normalizeEncoding(input.encoding) : detectEncoding(buf);
    const start = !input.encoding && encoding === 'utf8' && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    const pieceBytes = input.pieceBytes ?? 4 << 20;
    let cut = pieceEnd(buf, start, pieceBytes >> 2);
    let { text } = decodeBuffer(buf.subarray(start, cut), encoding);
    if (cut < buf.length && (input.format === 'json' || (!input.format && /^\s*[[{]/.test(text)))) {
      cut = buf.length; // JSON is parsed whole
      text = decodeBuffer(buf.subarray(start), encoding).text;
    }
    const share = (cut - start) / Math.max(1, buf.length - start);
    const prep = prepareImport(ROSTER_FIELDS, 'psn_no', text, { ...(input.format ? { format: input.format } : {}), ...(input.mapping ? { mapping: input.mapping } : {}) });
    post({ type: 'header', format: prep.format, encoding, ignored: prep.ignored, absentFields: prep.absentFields });
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
    const onRow = (row: (string | undefined)[], line: number, malformed: string | null, raw: string | undefined) => {
        rows++;
        const keyCell = row[prep.colOf[prep.keyIdx]!]?.trim() ?? '';
        const key = keyCell === '' ? null : keyCell;
        if (malformed) {
          rejected.push({ line, key, problems: [{ path: '', code: 'MALFORMED_ROW', message: malformed, messageZh: malformed.startsWith('a quoted') ? '引号未闭合' : '该行的列数与表头不一致' }] });
        } else {
          for (let i = 0; i < width; i++) {
            const c = prep.colOf[i]!;
            cells[i] = c === -1 ? undefined : row[c];
          }
          const problems: Problem[] = [];
          const r = validateRosterRow(cells, problems, null);
          if (r === null) rejected.push({ line, key, problems });
          else {
            packRow(r, contentHash(raw ?? row.join('\u001f'), prep.signature), values, values.length);
            lines.push(line);
            poolUsed.push(r.pool_used);
            poolAsOf.push(r.pool_used_as_of);
          }
        }
        if (rows >= input.chunkRows) flush();
    };
    prep.source.each(onRow, (f) => {
      fraction = f * share;
    });
    if (cut < buf.length) {
      // The rest of the file, piece by piece: same delimiter and header width, lines numbered on.
      const width = prep.source.headers.length;
      const delimiter = detectDelimiter(text);
      // A piece followed by another holds no quote, so its lines are its line breaks.
      let firstLine = 1;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) firstLine++;
      const end1 = { line: 0 };
      for (let from = cut; from < buf.length; ) {
        const end = pieceEnd(buf, from, pieceBytes);
        const piece = decodeBuffer(buf.subarray(from, end), encoding).text;
        const at = (from - start) / (buf.length - start);
        const span = (end - from) / (buf.length - start);
        parseCsv(
          piece,
          (r) => {
            let malformed: string | null = null;
            if (r.unterminated) malformed = 'a quoted field is never closed';
            else if (r.cells.length !== width) malformed = `the row has ${r.cells.length} cells but the header has ${width}`;
            onRow(r.cells, r.line, malformed, r.text);
          },
          { delimiter, firstLine, end: end1, onProgress: (pos) => (fraction = at + span * (pos / piece.length)) },
        );
        firstLine = end1.line;
        from = end;
      }
    }
    fraction = 1;
    flush();
    post({ type: 'done' });
  } catch (e) {
    if (e instanceof InputError) post({ type: 'error', input: true, code: e.code, message: e.message, messageZh: e.messageZh, problems: e.problems });
    else post({ type: 'error', input: false, code: 'INTERNAL', message: (e as Error)?.stack ?? String(e), messageZh: '导入时发生内部错误', problems: [] });
  }
}

if (workerData) run(workerData as WorkerInput);
