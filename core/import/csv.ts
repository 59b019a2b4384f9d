// A CSV splitter over the decoded text (RFC 4180: quoted fields, doubled quotes, line breaks
// inside quotes, CRLF or LF). Lines without a quote take a fast path (String#split); the rest
// go through a small state machine. Text may arrive in pieces (CsvReader): a file is never
// held whole. Hand-rolled because a bureau roster has a million rows.
import { InputError } from '../contract/problems.ts';

export interface CsvRecord {
  cells: string[];
  /** 1-based line number where the record starts. */
  line: number;
  /** A quote was opened and never closed (the record runs to the end of the file). */
  unterminated?: boolean;
  /** The record's text when it had no quotes (one line): lets the importer hash it without joining cells. */
  text?: string;
}

/** Comma unless the first line has tabs and no commas (some exports are tab-separated). */
export function detectDelimiter(text: string): string {
  const nl = text.indexOf('\n');
  const first = nl === -1 ? text : text.slice(0, nl);
  return first.includes('\t') && !first.includes(',') ? '\t' : first.includes(';') && !first.includes(',') ? ';' : ',';
}

/** A record longer than this (an unclosed quote, or no line breaks at all) refuses the file: memory stays bounded. */
export const MAX_RECORD_CHARS = 1 << 20;

/**
 * Reads records one at a time from text that arrives in pieces (`pull` returns the next piece,
 * null at the end): a record split between pieces waits for the rest. Only the unread part of
 * the current piece and at most one record are held.
 */
export class CsvReader {
  private buf = '';
  private pos = 0;
  private final = false;
  private started = false;
  private sep = ',';
  private sepCode = 44;
  /** Next quote / delimiter at or after pos (buf.length when none): kept across records. */
  private nextQuote = -1;
  private nextSep = -1;
  /** 1-based line of the next record. */
  line = 1;
  /** Characters consumed before the current piece. */
  private consumed = 0;

  constructor(
    private readonly pull: () => string | null,
    private readonly delimiter?: string,
  ) {}

  /** Characters read so far (records returned). */
  get position(): number {
    return this.consumed + this.pos;
  }

  /** Appends the next piece; false at the end of the input. */
  private fill(): boolean {
    if (this.final) return false;
    const t = this.pull();
    if (t === null) {
      this.final = true;
      return true;
    }
    if (this.buf.length - this.pos > MAX_RECORD_CHARS) {
      const message = `The record starting on line ${this.line} is longer than ${MAX_RECORD_CHARS} characters (a quote never closed?); nothing was imported`;
      const messageZh = `文件第 ${this.line} 行起的一条记录过长（可能有未闭合的引号），整个文件未导入`;
      throw new InputError('RECORD_TOO_LONG', message, messageZh, [{ path: `line.${this.line}`, code: 'RECORD_TOO_LONG', message, messageZh }]);
    }
    this.consumed += this.pos;
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + t : t;
    this.pos = 0;
    this.nextQuote = -1;
    this.nextSep = -1;
    if (!this.started && this.buf.length > 0) {
      this.started = true;
      if (this.buf.charCodeAt(0) === 0xfeff) this.pos = 1;
      this.sep = this.delimiter ?? detectDelimiter(this.buf.slice(this.pos));
      this.sepCode = this.sep.charCodeAt(0);
    }
    return true;
  }

  /** The next non-blank record, or null at the end. */
  next(): CsvRecord | null {
    for (;;) {
      if (this.pos >= this.buf.length) {
        if (!this.fill()) return null;
        continue;
      }
      const r = this.record();
      if (r === undefined) {
        // The record runs past the end of this piece.
        if (!this.fill()) throw new Error('unreachable: a final piece always completes its record');
        continue;
      }
      if (r !== null) return r;
    }
  }

  /** A record at pos: the record, null for a blank line, undefined when more text is needed. */
  private record(): CsvRecord | null | undefined {
    const text = this.buf;
    const n = text.length;
    const pos = this.pos;
    const sep = this.sep;
    let nl = text.indexOf('\n', pos);
    if (nl === -1) {
      if (!this.final) return undefined;
      nl = n;
    }
    if (this.nextQuote < pos) {
      this.nextQuote = text.indexOf('"', pos);
      if (this.nextQuote === -1) this.nextQuote = n;
    }
    if (this.nextQuote >= nl) {
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      const line = this.line;
      this.pos = nl + 1;
      this.line++;
      if (end <= pos) return null;
      const raw = text.slice(pos, end);
      // Cells sliced from the text between delimiters (measured faster than raw.split here).
      const cells: string[] = [];
      let from = pos;
      for (;;) {
        if (this.nextSep < from) {
          this.nextSep = text.indexOf(sep, from);
          if (this.nextSep === -1) this.nextSep = n;
        }
        if (this.nextSep >= end) break;
        cells.push(text.slice(from, this.nextSep));
        from = this.nextSep + 1;
      }
      cells.push(text.slice(from, end));
      return { cells, line, text: raw };
    }
    // Slow path: a quote somewhere in this record.
    const sepCode = this.sepCode;
    const final = this.final;
    let line = this.line;
    const cells: string[] = [];
    let field = '';
    let i = pos;
    let inQuotes = false;
    let unterminated = false;
    let done = false;
    let fieldStart = i;
    while (!done) {
      if (i >= n) {
        if (!final) return undefined;
        if (inQuotes) unterminated = true;
        cells.push(field + text.slice(fieldStart, i));
        break;
      }
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === 34) {
          if (i + 1 >= n && !final) return undefined;
          if (text.charCodeAt(i + 1) === 34) {
            field += text.slice(fieldStart, i + 1);
            i += 2;
            fieldStart = i;
          } else {
            field += text.slice(fieldStart, i);
            inQuotes = false;
            i++;
            fieldStart = i;
          }
        } else {
          if (c === 10) line++;
          i++;
        }
      } else if (c === 34 && i === fieldStart && field === '') {
        inQuotes = true;
        i++;
        fieldStart = i;
      } else if (c === sepCode) {
        cells.push(field + text.slice(fieldStart, i));
        field = '';
        i++;
        fieldStart = i;
      } else if (c === 10 || c === 13) {
        if (c === 13 && i + 1 >= n && !final) return undefined;
        cells.push(field + text.slice(fieldStart, i));
        if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
        i++;
        line++;
        done = true;
      } else {
        // A stray quote in an unquoted field is kept as text (lenient, like spreadsheet programs).
        i++;
      }
    }
    const startLine = this.line;
    this.pos = i;
    this.line = done ? line : line + 1;
    return unterminated ? { cells, line: startLine, unterminated } : { cells, line: startLine };
  }
}

/**
 * Calls `onRecord` for every non-blank record. `onProgress` gets the character position every
 * `progressEvery` records. Returns the number of records.
 */
export function parseCsv(
  text: string,
  onRecord: (record: CsvRecord) => void,
  options: { delimiter?: string; onProgress?: (position: number) => void; progressEvery?: number } = {},
): number {
  let given = false;
  const reader = new CsvReader(() => (given ? null : ((given = true), text)), options.delimiter);
  const every = options.progressEvery ?? 20000;
  let count = 0;
  for (let r = reader.next(); r !== null; r = reader.next()) {
    onRecord(r);
    count++;
    if (options.onProgress && count % every === 0) options.onProgress(reader.position);
  }
  return count;
}

/** Quotes a cell for writing CSV (only when needed). */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
