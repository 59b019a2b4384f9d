// A CSV splitter over the decoded text (RFC 4180: quoted fields, doubled quotes, line breaks
// inside quotes, CRLF or LF). Lines without a quote take a fast path (String#split); the rest
// go through a small state machine. Hand-rolled because a bureau roster has a million rows.

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

/**
 * Calls `onRecord` for every non-blank record. `onProgress` gets the character position every
 * `progressEvery` records. Returns the number of records.
 */
export function parseCsv(
  text: string,
  onRecord: (record: CsvRecord) => void,
  options: { delimiter?: string; onProgress?: (position: number) => void; progressEvery?: number } = {},
): number {
  const sep = options.delimiter ?? detectDelimiter(text);
  const sepCode = sep.charCodeAt(0);
  const n = text.length;
  const every = options.progressEvery ?? 20000;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let count = 0;
  let nextQuote = text.indexOf('"', pos);
  if (nextQuote === -1) nextQuote = n;
  // The next delimiter at or after the current cell, kept across lines like nextQuote so a
  // line without one does not make the search run on through the rest of the file.
  let nextSep = -1;
  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = n;
    if (nextQuote < pos) {
      nextQuote = text.indexOf('"', pos);
      if (nextQuote === -1) nextQuote = n;
    }
    if (nextQuote >= nl) {
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      if (end > pos) {
        const raw = text.slice(pos, end);
        // Cells sliced from the text between delimiters (measured faster than raw.split here).
        const cells: string[] = [];
        let from = pos;
        for (;;) {
          if (nextSep < from) {
            nextSep = text.indexOf(sep, from);
            if (nextSep === -1) nextSep = n;
          }
          if (nextSep >= end) break;
          cells.push(text.slice(from, nextSep));
          from = nextSep + 1;
        }
        cells.push(text.slice(from, end));
        onRecord({ cells, line, text: raw });
        count++;
        if (options.onProgress && count % every === 0) options.onProgress(pos);
      }
      pos = nl + 1;
      line++;
      continue;
    }
    // Slow path: a quote somewhere in this record.
    const startLine = line;
    const cells: string[] = [];
    let field = '';
    let i = pos;
    let inQuotes = false;
    let unterminated = false;
    let done = false;
    let fieldStart = i;
    while (!done) {
      if (i >= n) {
        if (inQuotes) unterminated = true;
        cells.push(field + text.slice(fieldStart, i));
        break;
      }
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === 34) {
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
    pos = i;
    if (!done) line++;
    onRecord(unterminated ? { cells, line: startLine, unterminated } : { cells, line: startLine });
    count++;
    if (options.onProgress && count % every === 0) options.onProgress(pos);
  }
  return count;
}

/** Quotes a cell for writing CSV (only when needed). */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
