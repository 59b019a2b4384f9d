// The one import engine for bureau files (roster and catalog): decode, split CSV or read JSON,
// match headers (English, Chinese, or the site's mapping), validate each row with the
// contract's field table, and upsert by key with a content hash so a re-import of the same
// file changes nothing. A bad row never aborts the good ones; --strict rolls the file back.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { InputError, type Problem } from '../contract/problems.ts';
import { cellFromJson, headerKey, type FieldSpec, type RawCells } from '../contract/rows.ts';
import type { DB } from '../store/db.ts';
import { parseCsv } from './csv.ts';
import { decodeBuffer, type Encoding } from './decode.ts';
import { contentHash, recordText } from './hash.ts';
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
  /** key → hash of the import row that last wrote each record. */
  hashes(): Map<string, string>;
  existing(key: string): R | null;
  /** Stores a new row hash for a record whose content did not change. */
  touch(key: string, hash: string): void;
  validate(cells: RawCells, problems: Problem[], existing: R | null): R | null;
  write(record: R, hash: string, now: string, isNew: boolean): void;
  /**
   * First load (empty table): queue a new record for a batched insert. Returns the queued rows
   * that repeat an earlier key (not written), now or at flushNew(); null when none.
   */
  queueNew?(record: R, hash: string, now: string, line: number): { line: number; key: string }[] | null;
  flushNew?(): { line: number; key: string }[] | null;
  /** Called inside the transaction before the first write when the table is empty. */
  beginBulk?(): void;
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
  /** Rows per transaction when not strict and the table already has rows. */
  chunkSize?: number;
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

/** Reads and imports a file. */
export function importFile<R>(db: DB, target: ImportTarget<R>, file: string, options: ImportOptions = {}): ImportReport {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw fileError('FILE_UNREADABLE', `Cannot read ${file}: ${(e as Error).message}`, `无法读取文件 ${file}`);
  }
  const { text, encoding } = decodeBuffer(buf, options.encoding);
  return importText(db, target, text, { ...options, format: options.format ?? detectFormat(file, text) }, encoding);
}

export interface RowSource {
  headers: string[];
  /** Calls back with each row's cells by file column; returns the row count. */
  /** `raw` is the row's own text when the source has it (an unquoted CSV line), for hashing. */
  each(onRow: (cells: (string | undefined)[], line: number, malformed: string | null, raw: string | undefined) => void, onProgress: (fraction: number) => void): void;
}

function csvSource(text: string): RowSource {
  let headers: string[] | null = null;
  // The header is the first non-blank record.
  parseCsv(text.slice(0, Math.min(text.length, 1 << 16)), (r) => {
    if (headers === null) {
      headers = r.cells;
    }
  });
  if (headers === null) throw fileError('EMPTY_FILE', 'The file has no header row', '文件为空或没有表头');
  return {
    headers,
    each(onRow, onProgress) {
      let first = true;
      const width = headers!.length;
      parseCsv(
        text,
        (r) => {
          if (first) {
            first = false;
            return;
          }
          let malformed: string | null = null;
          if (r.unterminated) malformed = 'a quoted field is never closed';
          else if (r.cells.length !== width) malformed = `the row has ${r.cells.length} cells but the header has ${width}`;
          onRow(r.cells, r.line, malformed, r.text);
        },
        { onProgress: (pos) => onProgress(pos / text.length) },
      );
    },
  };
}

function jsonSource(text: string): RowSource {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fileError('MALFORMED_JSON', `The file is not valid JSON: ${(e as Error).message}`, '文件不是有效的 JSON');
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const obj = data as Record<string, unknown>;
    data = obj.rows ?? obj.patients ?? obj.items ?? obj.data;
  }
  if (!Array.isArray(data)) throw fileError('MALFORMED_JSON', 'A JSON import is an array of objects (or {"rows": [...]})', 'JSON 导入文件应为对象数组');
  const rows = data as unknown[];
  const headers: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (row && typeof row === 'object' && !Array.isArray(row)) for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), headers.push(k));
  }
  return {
    headers,
    each(onRow, onProgress) {
      rows.forEach((row, i) => {
        if (!row || typeof row !== 'object' || Array.isArray(row)) {
          onRow([], i + 1, 'the record is not an object', undefined);
          return;
        }
        const obj = row as Record<string, unknown>;
        // A key missing from one object is an empty cell, not an absent column: the file has the column.
        onRow(headers.map((h) => cellFromJson(obj[h]) ?? ''), i + 1, null, undefined);
        if (i % 20000 === 0) onProgress(i / rows.length);
      });
    },
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
export function prepareImport(fields: readonly FieldSpec[], key: string, text: string, options: Pick<ImportOptions, 'format' | 'mapping'>): Prepared {
  const format = options.format ?? (/^\s*[[{]/.test(text) ? 'json' : 'csv');
  const source = format === 'json' ? jsonSource(text) : csvSource(text);
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
}

/** Imports already-decoded text (CSV or JSON). */
export function importText<R>(db: DB, target: ImportTarget<R>, text: string, options: ImportOptions = {}, encoding: Encoding = 'utf8'): ImportReport {
  const started = performance.now();
  const { format, source, colOf, ignored, absentFields, keyIdx, signature } = prepareImport(target.fields, target.key, text, options);
  const fieldNames = target.fields.map((f) => f.name);
  const maxRejections = options.maxRejections ?? 10000;
  const now = (options.now ?? (() => new Date()))().toISOString();

  const session = target.open(db);
  const hashes = session.hashes();
  const bulk = hashes.size === 0;
  const wholeFile = options.strict || bulk;
  const chunkSize = options.chunkSize ?? 20000;

  const report: ImportReport = {
    kind: target.kind,
    format,
    encoding,
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

  const seen = new Set<string>();
  // One problems array for all rows (reject() copies what it keeps): less garbage per row.
  const problems: Problem[] = [];
  const width = target.fields.length;
  const cells: (string | undefined)[] = new Array(width);
  let sinceCommit = 0;
  const begin = () => db.exec('BEGIN IMMEDIATE');
  const commit = () => db.exec('COMMIT');

  const duplicate = (line: number, k: string) =>
    reject(line, k, [{ path: target.key, code: 'DUPLICATE_IN_FILE', message: `${target.key} ${k} appears earlier in this file; the earlier row was kept`, messageZh: `${target.fields[keyIdx]!.zh[0]} ${k} 在本文件中重复，已保留前一行` }]);

  // Rows a batched first load found repeating an earlier key: they were counted as inserted.
  const duplicates = (dups: { line: number; key: string }[]) => {
    for (const d of dups) {
      report.inserted--;
      duplicate(d.line, d.key);
    }
  };

  const handleRow = (row: (string | undefined)[], line: number, malformed: string | null, raw: string | undefined) => {
    report.rows++;
    const rawKey = row[colOf[keyIdx]!]?.trim() ?? '';
    const upperKey = target.kind === 'catalog';
    const key = rawKey === '' ? null : rawKey;
    if (malformed) {
      reject(line, key, [{ path: '', code: 'MALFORMED_ROW', message: malformed, messageZh: malformed.startsWith('a quoted') ? '引号未闭合' : '该行的列数与表头不一致' }]);
      return;
    }
    const keyFor = key === null ? null : upperKey ? key.toUpperCase() : key;
    // Fast path: the very row that last wrote this record (same columns, same cells) changes nothing.
    for (let i = 0; i < width; i++) {
      const c = colOf[i]!;
      cells[i] = c === -1 ? undefined : row[c];
    }
    // The row's own text, seeded with the column layout: another layout never matches.
    const rowHash = contentHash(raw ?? row.join('\u001f'), signature);
    const stored = keyFor === null ? undefined : hashes.get(keyFor);
    if (stored === rowHash && !seen.has(keyFor!)) {
      seen.add(keyFor!);
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
    if (bulk && session.queueNew) {
      // Loading an empty table: the primary key catches a repeated key (no million-entry Set).
      report.inserted++;
      const dups = session.queueNew(record, rowHash, now, line);
      if (dups !== null) duplicates(dups);
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
    if (seen.has(k)) return duplicate(line, k);
    seen.add(k);
    hashes.set(k, rowHash);
    if (existing !== null && recordText(record as Record<string, unknown>, fieldNames) === recordText(existing as Record<string, unknown>, fieldNames)) {
      // Same content in a different spelling or layout (居民 for 390, other columns): unchanged.
      session.touch(k, rowHash);
      report.unchanged++;
      return;
    }
    session.write(record, rowHash, now, existing === null);
    if (existing === null) report.inserted++;
    else report.updated++;
    if (!wholeFile && ++sinceCommit >= chunkSize) {
      commit();
      begin();
      sinceCommit = 0;
    }
  };

  const progress = (fraction: number) => options.onProgress?.({ rows: report.rows, fraction, elapsedMs: performance.now() - started });

  begin();
  try {
    if (bulk) session.beginBulk?.();
    source.each(handleRow, progress);
    if (bulk) {
      const dups = session.flushNew?.() ?? null;
      if (dups !== null) duplicates(dups);
      // Found at a batch's end: put them back in file order among the other rejections.
      report.rejections.sort((a, b) => a.line - b.line);
      session.endBulk?.();
    }
    if (options.strict && report.rejected > 0) throw new StrictRollback();
    session.finish?.(report.inserted + report.updated);
    commit();
  } catch (e) {
    db.exec('ROLLBACK');
    if (!(e instanceof StrictRollback)) throw e;
    report.rolledBack = true;
    report.inserted = report.updated = report.unchanged = 0;
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
