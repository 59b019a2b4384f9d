// The one import engine for bureau files (roster and catalog): decode, split CSV or read JSON,
// match headers (English, Chinese, or the site's mapping), validate each row with the
// contract's field table, and upsert by key with a content hash so a re-import of the same
// file changes nothing. A bad row never aborts the good ones; --strict rolls the file back.
// The file is streamed (core/import/input.ts: read and decoded in 1 MB pieces, CSV records or
// JSON objects taken as they come), so memory stays bounded whatever its size; the whole file
// is one synchronous transaction, so a file refused half-way (a line in another encoding, a
// JSON syntax error) leaves nothing half-written.
import { extname } from 'node:path';
import { InputError, type Problem } from '../contract/problems.ts';
import { cellFromJson, headerKey, type FieldSpec, type RawCells } from '../contract/rows.ts';
import type { DB } from '../store/db.ts';
import { ImportKeys } from '../store/imports.ts';
import { CsvReader } from './csv.ts';
import type { Encoding } from './decode.ts';
import { garbledCell } from './garble.ts';
import { contentHash, recordText } from './hash.ts';
import { fileInput, textInput, type TextInput } from './input.ts';
import { JsonRowReader } from './json.ts';
import type { ColumnMapping } from './mapping.ts';

/** What one kind of file (roster, catalog) plugs into the engine. */
export interface ImportTarget<R> {
  kind: 'roster' | 'catalog';
  fields: readonly FieldSpec[];
  /** Name of the key field (psn_no, code). */
  key: string;
  /** Words for messages. */
  noun: { en: string; zh: string };
  open(db: DB): ImportSession<R>;
}

export interface ImportSession<R> {
  /** The table holds no record yet (a first load). */
  isEmpty(): boolean;
  /** Hash of the import row that last wrote the record and its rowid; undefined when there is none. */
  lookup(key: string): { hash: string; rowid: number } | undefined;
  /** The highest rowid on file (also the table's size, roughly). */
  maxRowid(): number;
  existing(key: string): R | null;
  /**
   * An update that would garble a stored text (a name replaced by its own mojibake or by
   * U+FFFD): the problem, else null. Called only when the record exists and changed.
   */
  guard?(record: R, existing: R): Problem | null;
  /** Stores a new row hash for a record whose content did not change. */
  touch(key: string, hash: string): void;
  validate(cells: RawCells, problems: Problem[], existing: R | null): R | null;
  write(record: R, hash: string, now: string, isNew: boolean): void;
  /**
   * A new record (its key not on file): queue it for a batched insert. Returns the queued rows
   * that repeat an earlier key (not written), now or at flushNew(); null when none.
   */
  queueNew?(record: R, hash: string, now: string, line: number): { line: number; key: string }[] | null;
  flushNew?(): { line: number; key: string }[] | null;
  /** Called inside the transaction before the first write when the table is empty. */
  beginBulk?(): void;
  /** Many new records for a table already holding some: drop secondary indexes until endBulk. */
  deferIndexes?(): void;
  endBulk?(): void;
  /** Called inside the last transaction with how many records were written (index upkeep). */
  finish?(written: number): void;
}

export interface Rejection {
  /** 1-based line of the CSV record (its first line), or the 1-based position of a JSON record. */
  line: number;
  key: string | null;
  field: string;
  code: string;
  message: string;
  messageZh: string;
}

export interface ImportReport {
  kind: 'roster' | 'catalog';
  format: 'csv' | 'json';
  encoding: Encoding;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** --strict and at least one bad row: nothing was written. */
  rolledBack: boolean;
  /** Columns of the file that map to no field (left alone). */
  ignoredColumns: string[];
  /** Fields the file does not carry (kept as they are for records already on file). */
  absentFields: string[];
  rejections: Rejection[];
  /** More rejections than listed (the list stops at maxRejections). */
  rejectionsTruncated: boolean;
  ms: number;
  rowsPerSecond: number;
}

export interface Progress {
  rows: number;
  /** 0–1 of the input read. */
  fraction: number;
  elapsedMs: number;
}

export interface ImportOptions {
  encoding?: string;
  mapping?: ColumnMapping;
  strict?: boolean;
  format?: 'csv' | 'json';
  onProgress?: (p: Progress) => void;
  /** How many rejections to list (all are counted). Default 10,000. */
  maxRejections?: number;
  /**
   * Roster first load only: parse on a worker thread while this one inserts
   * (core/import/parallel.ts). Left out: chosen for large files on 2+ cores; false: never.
   */
  parallel?: boolean;
  now?: () => Date;
}

class StrictRollback extends Error {}

function fileError(code: string, message: string, messageZh: string, path = 'file'): InputError {
  return new InputError(code, message, messageZh, [{ path, code, message, messageZh }]);
}

/** Header text → field index, from the mapping first, then English names/aliases, then Chinese names. */
function resolveHeaders(fields: readonly FieldSpec[], headers: string[], mapping: ColumnMapping | undefined) {
  const byKey = new Map<string, number>();
  fields.forEach((f, i) => {
    for (const name of [f.name, ...(f.aliases ?? []), ...f.zh]) if (!byKey.has(headerKey(name))) byKey.set(headerKey(name), i);
  });
  const mapped = new Map<string, number>();
  if (mapping) {
    const problems: Problem[] = [];
    for (const [field, header] of Object.entries(mapping.columns)) {
      const idx = fields.findIndex((f) => f.name === field);
      if (idx === -1) problems.push({ path: `mapping.columns.${field}`, code: 'UNKNOWN_FIELD', message: `the mapping names an unknown field ${JSON.stringify(field)}; fields: ${fields.map((f) => f.name).join(', ')}`, messageZh: `列映射中的字段 ${field} 不存在` });
      else if (!headers.some((h) => headerKey(h) === headerKey(header))) problems.push({ path: `mapping.columns.${field}`, code: 'COLUMN_NOT_IN_FILE', message: `the mapping says ${field} is column ${JSON.stringify(header)}, but the file has no such column`, messageZh: `列映射指定的列 ${header} 在文件中不存在` });
      else mapped.set(headerKey(header), idx);
    }
    if (problems.length > 0) throw new InputError('INVALID_MAPPING', `The column mapping does not fit the file: ${problems.map((p) => p.message).join('; ')}`, '列映射与文件不符', problems);
  }
  const mappedFields = new Set(mapped.values());
  const colOf = new Array<number>(fields.length).fill(-1);
  const ignored: string[] = [];
  headers.forEach((h, col) => {
    const k = headerKey(h);
    // A field the mapping assigns is taken only from the mapped column.
    let idx = mapped.get(k);
    if (idx === undefined) {
      const byName = byKey.get(k);
      if (byName !== undefined && !mappedFields.has(byName)) idx = byName;
    }
    if (idx === undefined) {
      if (h.trim() !== '') ignored.push(h.trim());
      return;
    }
    if (colOf[idx] !== -1) throw fileError('DUPLICATE_COLUMN', `Two columns map to field ${fields[idx]!.name}: ${JSON.stringify(headers[colOf[idx]!])} and ${JSON.stringify(h)}`, `有两列都对应字段 ${fields[idx]!.name}`);
    colOf[idx] = col;
  });
  return { colOf, ignored };
}

export function detectFormat(file: string, text: string): 'csv' | 'json' {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
  const first = text.trimStart()[0];
  return first === '[' || first === '{' ? 'json' : 'csv';
}

/** Reads, decodes and imports a file as it streams in. */
export function importFile<R>(db: DB, target: ImportTarget<R>, file: string, options: ImportOptions = {}): ImportReport {
  return importInput(db, target, fileInput(file, options.encoding), options);
}

export interface RowSource {
  headers: string[];
  /**
   * Calls back with each row's cells by file column. `raw` is the row's own text when the
   * source has it (an unquoted CSV line), for hashing. `onProgress` gets the fraction read.
   */
  each(onRow: (cells: (string | undefined)[], line: number, malformed: string | null, raw: string | undefined) => void, onProgress: (fraction: number) => void): void;
  /** The encoding the file was read in (known once it has been read). */
  encoding(): Encoding;
  /** 0–1 of the input read so far. */
  fraction(): number;
  /** Releases the file (after each(), or when the import stops early). */
  close(): void;
}

function csvSource(input: TextInput): RowSource {
  const stream = input.open();
  try {
    const reader = new CsvReader(() => stream.pull());
    // The header is the first non-blank record.
    const header = reader.next();
    if (header === null) throw fileError('EMPTY_FILE', 'The file has no header row', '文件为空或没有表头');
    const headers = header.cells;
    const width = headers.length;
    return {
      headers,
      each(onRow, onProgress) {
        let count = 0;
        for (let r = reader.next(); r !== null; r = reader.next()) {
          let malformed: string | null = null;
          if (r.unterminated) malformed = 'a quoted field is never closed';
          else if (r.cells.length !== width) malformed = `the row has ${r.cells.length} cells but the header has ${width}`;
          onRow(r.cells, r.line, malformed, r.text);
          if (++count % 20000 === 0) onProgress(stream.fraction());
        }
      },
      encoding: () => stream.encoding(),
      fraction: () => stream.fraction(),
      close: () => stream.close(),
    };
  } catch (e) {
    stream.close();
    throw e;
  }
}

/** Distinct member names a JSON file may use (its columns). */
const MAX_JSON_COLUMNS = 1000;

/**
 * A JSON file is read twice: once for its member names (a name any record has is a column of
 * the file, empty in the records that lack it) and to refuse a malformed file before anything
 * is written, then for its records.
 */
function jsonSource(input: TextInput): RowSource {
  const headers: string[] = [];
  const seen = new Set<string>();
  const first = input.open();
  try {
    const reader = new JsonRowReader(() => first.pull());
    for (let r = reader.next(); r !== null; r = reader.next()) {
      const row = r.value;
      if (row && typeof row === 'object' && !Array.isArray(row)) {
        for (const k of Object.keys(row)) {
          if (seen.has(k)) continue;
          seen.add(k);
          headers.push(k);
          if (headers.length > MAX_JSON_COLUMNS) throw fileError('TOO_MANY_COLUMNS', `The JSON records use more than ${MAX_JSON_COLUMNS} different member names; nothing was imported`, `JSON 文件中的字段名超过 ${MAX_JSON_COLUMNS} 个，整个文件未导入`);
        }
      }
    }
  } finally {
    first.close();
  }
  let stream: ReturnType<TextInput['open']> | null = null;
  return {
    headers,
    each(onRow, onProgress) {
      stream = input.open();
      const s = stream;
      const reader = new JsonRowReader(() => s.pull());
      for (let r = reader.next(); r !== null; r = reader.next()) {
        const row = r.value;
        if (!row || typeof row !== 'object' || Array.isArray(row)) {
          onRow([], r.index, 'the record is not an object', undefined);
          continue;
        }
        const obj = row as Record<string, unknown>;
        // A key missing from one object is an empty cell, not an absent column: the file has the column.
        onRow(headers.map((h) => cellFromJson(obj[h]) ?? ''), r.index, null, undefined);
        if (r.index % 20000 === 0) onProgress(s.fraction());
      }
    },
    encoding: () => stream?.encoding() ?? first.encoding(),
    fraction: () => stream?.fraction() ?? 0,
    close: () => stream?.close(),
  };
}

export interface Prepared {
  format: 'csv' | 'json';
  source: RowSource;
  /** Field index → file column (-1 = absent). */
  colOf: number[];
  ignored: string[];
  absentFields: string[];
  keyIdx: number;
  /** Suffix of every row hash: which field sits in which column, so another layout never matches. */
  signature: string;
}

/** Reads the header (or JSON keys) and matches it to the target's fields. */
export function prepareImport(fields: readonly FieldSpec[], key: string, input: TextInput, options: Pick<ImportOptions, 'format' | 'mapping'>): Prepared {
  const format = options.format ?? detectFormat(input.name, input.peek());
  const source = format === 'json' ? jsonSource(input) : csvSource(input);
  try {
    const { colOf, ignored } = resolveHeaders(fields, source.headers, options.mapping);
    const keyIdx = fields.findIndex((f) => f.name === key);
    if (colOf[keyIdx] === -1) {
      throw fileError(
        'KEY_COLUMN_MISSING',
        `The file has no ${key} column (headers: ${source.headers.join(', ')}); name it ${key} or ${fields[keyIdx]!.zh[0]}, or give a column mapping (--mapping)`,
        `文件缺少${fields[keyIdx]!.zh[0]}列，请检查表头或提供列映射文件`,
      );
    }
    const absentFields = fields.filter((_, i) => colOf[i] === -1).map((f) => f.name);
    const signature = `:${contentHash(`${format}:${colOf.join(',')}`).slice(0, 6)}`;
    return { format, source, colOf, ignored, absentFields, keyIdx, signature };
  } catch (e) {
    source.close();
    throw e;
  }
}

/** Imports already-decoded text (CSV or JSON). */
export function importText<R>(db: DB, target: ImportTarget<R>, text: string, options: ImportOptions = {}): ImportReport {
  return importInput(db, target, textInput(text), options);
}

/** Imports a streamed input: one transaction, rows read, validated and written as they come. */
export function importInput<R>(db: DB, target: ImportTarget<R>, input: TextInput, options: ImportOptions = {}): ImportReport {
  const started = performance.now();
  const { format, source, colOf, ignored, absentFields, keyIdx, signature } = prepareImport(target.fields, target.key, input, options);
  const fieldNames = target.fields.map((f) => f.name);
  const maxRejections = options.maxRejections ?? 10000;
  const now = (options.now ?? (() => new Date()))().toISOString();

  const report: ImportReport = {
    kind: target.kind,
    format,
    encoding: 'utf8',
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    rolledBack: false,
    ignoredColumns: ignored,
    absentFields,
    rejections: [],
    rejectionsTruncated: false,
    ms: 0,
    rowsPerSecond: 0,
  };
  const reject = rejectionRecorder(report, maxRejections);

  // One problems array for all rows (reject() copies what it keeps): less garbage per row.
  const problems: Problem[] = [];
  const width = target.fields.length;
  const cells: (string | undefined)[] = new Array(width);
  const upperKey = target.kind === 'catalog';

  const duplicate = (line: number, k: string) =>
    reject(line, k, [{ path: target.key, code: 'DUPLICATE_IN_FILE', message: `${target.key} ${k} appears earlier in this file; the earlier row was kept`, messageZh: `${target.fields[keyIdx]!.zh[0]} ${k} 在本文件中重复，已保留前一行` }]);

  // Rows a batched insert found repeating an earlier key: they were counted as inserted.
  const duplicates = (dups: { line: number; key: string } [] | null) => {
    if (dups === null) return;
    for (const d of dups) {
      report.inserted--;
      duplicate(d.line, d.key);
    }
  };

  db.exec('BEGIN IMMEDIATE');
  try {
    const session = target.open(db);
    const bulk = session.isEmpty();
    // A repeated key in the file: a record written earlier in this import has a rowid above
    // the table's highest at the start, or (still queued) is refused by the primary key; a
    // record already on file is remembered once met (a temporary table, not a Set: memory
    // stays flat at any size).
    const startRowid = bulk ? 0 : session.maxRowid();
    const seen = bulk ? null : new ImportKeys(db);
    // Into a table already holding records: once a sample of the file shows it brings many new
    // ones (an eighth of the table or more, and at least 10,000), the secondary indexes are
    // dropped and built again at the end, as on a first load.
    const sizeAtStart = startRowid;
    let sampled = !session.deferIndexes;
    let deferred = false;

    const handleRow = (row: (string | undefined)[], line: number, malformed: string | null, raw: string | undefined) => {
      report.rows++;
      const rawKey = row[colOf[keyIdx]!]?.trim() ?? '';
      const key = rawKey === '' ? null : rawKey;
      if (malformed) {
        reject(line, key, [{ path: '', code: 'MALFORMED_ROW', message: malformed, messageZh: malformed.startsWith('a quoted') ? '引号未闭合' : '该行的列数与表头不一致' }]);
        return;
      }
      const keyFor = key === null ? null : upperKey ? key.toUpperCase() : key;
      for (let i = 0; i < width; i++) {
        const c = colOf[i]!;
        cells[i] = c === -1 ? undefined : row[c];
      }
      // The row's own text, seeded with the column layout: another layout never matches.
      const text = raw ?? row.join('\u001f');
      if (text.includes('\uFFFD')) {
        const garbled = garbledCell(target.fields, cells);
        if (garbled !== null) return reject(line, key, [garbled]);
      }
      const rowHash = contentHash(text, signature);
      const found = keyFor === null || bulk ? undefined : session.lookup(keyFor);
      if (found !== undefined && found.rowid > startRowid) return duplicate(line, keyFor!);
      const stored = found?.hash;
      // Fast path: the very row that last wrote this record (same columns, same cells) changes nothing.
      if (stored === rowHash) {
        if (!seen!.add(keyFor!)) return duplicate(line, keyFor!);
        report.unchanged++;
        return;
      }
      problems.length = 0;
      const existing = stored !== undefined ? session.existing(keyFor!) : null;
      const record = session.validate(cells, problems, existing);
      if (record === null) {
        reject(line, key, problems);
        return;
      }
      const k = (record as Record<string, unknown>)[target.key] as string;
      if (existing === null && session.queueNew) {
        // A new record: batched (on a first load the primary key catches a repeated key).
        report.inserted++;
        duplicates(session.queueNew(record, rowHash, now, line));
        if (!sampled && report.rows >= 5000) {
          sampled = true;
          const fraction = source.fraction();
          const expectedNew = fraction > 0 ? report.inserted / fraction : report.inserted;
          if (expectedNew >= 10000 && expectedNew >= sizeAtStart / 8) {
            session.deferIndexes!();
            deferred = true;
          }
        }
        return;
      }
      if (bulk) {
        try {
          session.write(record, rowHash, now, true);
        } catch (e) {
          if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return duplicate(line, k);
          throw e;
        }
        report.inserted++;
        return;
      }
      if (existing !== null) {
        if (!seen!.add(k)) return duplicate(line, k);
        if (recordText(record as Record<string, unknown>, fieldNames) === recordText(existing as Record<string, unknown>, fieldNames)) {
          // Same content in a different spelling or layout (居民 for 390, other columns): unchanged.
          session.touch(k, rowHash);
          report.unchanged++;
          return;
        }
        const garbling = session.guard?.(record, existing) ?? null;
        if (garbling !== null) return reject(line, key, [garbling]);
      }
      session.write(record, rowHash, now, existing === null);
      if (existing === null) report.inserted++;
      else report.updated++;
    };

    const progress = (fraction: number) => options.onProgress?.({ rows: report.rows, fraction, elapsedMs: performance.now() - started });

    if (bulk) session.beginBulk?.();
    source.each(handleRow, progress);
    duplicates(session.flushNew?.() ?? null);
    // Found at a batch's end: put them back in file order among the other rejections.
    report.rejections.sort((a, b) => a.line - b.line);
    if (bulk || deferred) session.endBulk?.();
    seen?.clear();
    report.encoding = source.encoding();
    if (options.strict && report.rejected > 0) throw new StrictRollback();
    session.finish?.(report.inserted + report.updated);
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    if (!(e instanceof StrictRollback)) throw e;
    report.rolledBack = true;
    report.inserted = report.updated = report.unchanged = 0;
  } finally {
    source.close();
  }
  report.ms = Math.round(performance.now() - started);
  report.rowsPerSecond = report.ms > 0 ? Math.round((report.rows / report.ms) * 1000) : report.rows;
  return report;
}

/** Counts a rejected row and lists its problems (line, key, field, code, English and Chinese), up to a limit. */
export function rejectionRecorder(report: ImportReport, maxRejections: number): (line: number, key: string | null, problems: Problem[]) => void {
  return (line, key, problems) => {
    report.rejected++;
    for (const p of problems) {
      if (report.rejections.length >= maxRejections) {
        report.rejectionsTruncated = true;
        return;
      }
      report.rejections.push({ line, key, field: p.path, code: p.code, message: p.message, messageZh: p.messageZh });
    }
  };
}
