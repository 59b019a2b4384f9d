// Shared machinery for the row contracts (roster and catalog): a field table with English and
// Chinese column names, cell parsers that throw a FieldError naming what is wrong in both
// languages, and the zod wrapper so the same hand-written rules are the zod schema too.
// The rules are hand-written (not per-row zod) because a bureau file has a million rows.
import { z } from 'zod';
import type { Problem } from './problems.ts';
import { AMOUNT_LIMITS, exceedsMax, tooLargeMessage } from './fields.ts';

export class FieldError extends Error {
  readonly code: string;
  readonly messageZh: string;
  constructor(code: string, message: string, messageZh: string) {
    super(message);
    this.code = code;
    this.messageZh = messageZh;
  }
}

export interface FieldSpec<K extends string = string> {
  /** English field name: the column header, the record key, the CLI/JSON name. */
  name: K;
  /** Chinese column names seen in bureau exports (the first is the one we write). */
  zh: readonly string[];
  /** Other English spellings accepted as a header. */
  aliases?: readonly string[];
  /** Required when the row creates a new record (a delta row for an existing one may omit it). */
  required?: boolean;
  /** Turns a trimmed, non-empty cell into the stored value; throws FieldError. */
  parse(text: string): unknown;
  /** Value of an empty cell (default null). */
  empty?: unknown;
}

/** The key used to match headers: lower case, spaces/underscores/hyphens dropped. */
export function headerKey(text: string): string {
  return text.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_\-（）()]/g, '');
}

export const fail = (code: string, message: string, messageZh: string): never => {
  throw new FieldError(code, message, messageZh);
};

// ---- cell parsers ----

const DATE_PLAIN = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_SEP = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether year/month/day name a day of the proleptic Gregorian calendar (integer math, no Date). */
export function realYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0);
  return d <= DAYS[m - 1]! + (leap ? 1 : 0);
}

/** isRealDate for an already well-shaped yyyy-MM-dd, without building a Date (hot in imports). */
export function realDate(iso: string): boolean {
  return realYmd(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

/** The value of `len` ASCII digits of `text` from `at`, or -1 when one is not a digit. */
export function digitsAt(text: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** yyyy-MM-dd, yyyy/M/d, yyyyMMdd, 2024年7月1日 (a time part is dropped) → yyyy-MM-dd. */
export function parseDate(text: string, what: string, whatZh: string): string {
  // Fast path for the usual spellings (yyyy-MM-dd, yyyyMMdd) by char codes; the regexes below
  // stay the definition: anything the fast path does not accept goes through them.
  if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const y = digitsAt(text, 0, 4);
    const mo = digitsAt(text, 5, 2);
    const d = digitsAt(text, 8, 2);
    if (y >= 0 && mo >= 0 && d >= 0 && realYmd(y, mo, d)) return text;
  } else if (text.length === 8) {
    const y = digitsAt(text, 0, 4);
    const mo = digitsAt(text, 4, 2);
    const d = digitsAt(text, 6, 2);
    if (y >= 0 && mo >= 0 && d >= 0 && realYmd(y, mo, d)) return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  }
  let m = DATE_PLAIN.exec(text);
  let iso: string | null = null;
  if (m) iso = `${m[1]}-${m[2]}-${m[3]}`;
  else if ((m = DATE_SEP.exec(text))) iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  if (iso === null || !realDate(iso)) {
    return fail('INVALID_DATE', `${what} must be a real date (yyyy-MM-dd), got ${JSON.stringify(text)}`, `${whatZh}必须是有效日期（yyyy-MM-dd），收到 ${JSON.stringify(text)}`);
  }
  return iso;
}

/** A yyyy-MM month (also yyyyMM, yyyy/M). */
export function parseMonth(text: string, what: string, whatZh: string): string {
  const m = /^(\d{4})[-/.年]?(\d{1,2})月?$/.exec(text);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) {
    return fail('INVALID_MONTH', `${what} must be a month yyyy-MM, got ${JSON.stringify(text)}`, `${whatZh}必须是月份（yyyy-MM），收到 ${JSON.stringify(text)}`);
  }
  return `${m[1]}-${String(month).padStart(2, '0')}`;
}

const MONEY = /^\d+(\.\d{1,2})?$/;
const PRICE = /^\d+(\.\d{1,6})?$/;

/** A non-negative amount in yuan with at most 2 decimals, kept as a string (money never becomes a float). */
export function parseMoney(text: string, what: string, whatZh: string): string {
  // Fast path: plain digits with at most two decimals and no leading zero (12, 12.5, 12.50, 0.5).
  const n = text.length;
  let dot = text.indexOf('.');
  if (dot === -1) dot = n;
  if (dot > 0 && n - dot <= 3 && (dot === 1 || text.charCodeAt(0) !== 48) && allDigits(text, 0, dot) && allDigits(text, dot + 1, n) && (dot === n || n - dot > 1)) {
    return n - dot === 3 ? text : n - dot === 2 ? `${text}0` : `${text}.00`;
  }
  const t = text.replace(/,/g, '');
  if (!MONEY.test(t)) return fail('INVALID_AMOUNT', `${what} must be an amount such as 12.50 (at most 2 decimals), got ${JSON.stringify(text)}`, `${whatZh}必须是金额（如 12.50，最多两位小数），收到 ${JSON.stringify(text)}`);
  // Canonical form: no leading zeros, exactly two decimals (string work, no float).
  const [int = '0', frac = ''] = t.split('.');
  return `${int.replace(/^0+(?=\d)/, '')}.${(frac + '00').slice(0, 2)}`;
}

/** A non-negative price with up to 6 decimals (the platform's unit-price precision). */
export function parsePrice(text: string, what: string, whatZh: string): string {
  const t = text.replace(/,/g, '');
  if (!PRICE.test(t)) return fail('INVALID_PRICE', `${what} must be a price such as 0.153 (at most 6 decimals), got ${JSON.stringify(text)}`, `${whatZh}必须是价格（如 0.153，最多六位小数），收到 ${JSON.stringify(text)}`);
  if (exceedsMax(t, AMOUNT_LIMITS.unitPrice)) {
    const m = tooLargeMessage(what, whatZh, AMOUNT_LIMITS.unitPrice, t);
    return fail('PRICE_TOO_LARGE', m.message, m.zh);
  }
  return t;
}

const TRUE = new Set(['1', 'true', 'yes', 'y', '是', '√', 't']);
const FALSE = new Set(['0', 'false', 'no', 'n', '否', '×', 'f']);

export function parseFlag(text: string, what: string, whatZh: string): boolean {
  const t = text.toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return fail('INVALID_FLAG', `${what} must be yes/no (1/0, 是/否), got ${JSON.stringify(text)}`, `${whatZh}必须是“是”或“否”，收到 ${JSON.stringify(text)}`);
}

/** A 6-digit administrative division code (医保区划). */
export function parseRegion(text: string, what: string, whatZh: string): string {
  if (!/^\d{6}$/.test(text)) return fail('INVALID_REGION', `${what} must be a 6-digit region code, got ${JSON.stringify(text)}`, `${whatZh}必须是6位行政区划代码，收到 ${JSON.stringify(text)}`);
  return text;
}

/** Free text up to a length. */
export function parseText(max: number, what: string, whatZh: string) {
  return (text: string): string => {
    if (text.length > max) return fail('TOO_LONG', `${what} is longer than ${max} characters`, `${whatZh}超过 ${max} 个字符`);
    return text;
  };
}

/** Whether text[from, to) is only ASCII digits. */
function allDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Letters, digits and - _ . only (the char-code form of the identifier regex below). */
export function isCodeText(text: string, max: number): boolean {
  const n = text.length;
  if (n < 1 || n > max) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45)) return false;
  }
  return true;
}

/** An identifier: letters, digits and - _ . only. */
export function parseCode(max: number, what: string, whatZh: string) {
  const re = new RegExp(`^[A-Za-z0-9_.\\-]{1,${max}}$`);
  return (text: string): string => {
    // The loop is the fast path; the regex is the definition (test/unit/row-contracts.test.ts checks they agree).
    if (!isCodeText(text, max) && !re.test(text)) return fail('INVALID_CODE', `${what} must be 1–${max} letters or digits, got ${JSON.stringify(text)}`, `${whatZh}必须是1至${max}位字母或数字，收到 ${JSON.stringify(text)}`);
    return text;
  };
}

export function enumParser<T>(table: Record<string, T>, what: string, whatZh: string, allowed: string) {
  const normalized = new Map<string, T>();
  for (const [k, v] of Object.entries(table)) normalized.set(k.toLowerCase(), v);
  return (text: string): T => {
    // The keys are lower case: a cell already in lower case (the usual) needs no toLowerCase copy.
    const v = normalized.get(text) ?? normalized.get(text.toLowerCase());
    if (v === undefined) return fail('INVALID_VALUE', `${what} must be one of ${allowed}, got ${JSON.stringify(text)}`, `${whatZh}的取值无效（允许：${allowed}），收到 ${JSON.stringify(text)}`);
    return v;
  };
}

// ---- applying a field table to one row ----

/** A row as read from a file: the cell for each field of the table, or undefined where the file has no such column. */
export type RawCells = readonly (string | undefined)[];

/**
 * Parses the cells present in a row: one value per field of the table, undefined where the
 * file has no such column, null (or the field's `empty`) for a blank cell. Problems go to
 * `problems` (one per bad field).
 */
export function parseCells(specs: readonly FieldSpec[], cells: RawCells, problems: Problem[]): unknown[] {
  const t = compiled(specs);
  const n = t.parse.length;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const cell = cells[i];
    if (cell === undefined) continue;
    const text = cell.trim();
    if (text === '') {
      out[i] = t.empty[i];
      continue;
    }
    try {
      out[i] = t.parse[i]!(text);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      problems.push({ path: t.name[i]!, code: e.code, message: e.message, messageZh: e.messageZh });
    }
  }
  return out;
}

// The field specs differ in shape (optional keys), so reading them per cell is megamorphic:
// a million-row file reads them from flat arrays instead.
interface CompiledFields {
  parse: ((text: string) => unknown)[];
  empty: unknown[];
  name: string[];
}
const COMPILED = new WeakMap<readonly FieldSpec[], CompiledFields>();
function compiled(specs: readonly FieldSpec[]): CompiledFields {
  let t = COMPILED.get(specs);
  if (t === undefined) {
    t = { parse: specs.map((s) => s.parse), empty: specs.map((s) => (s.empty === undefined ? null : s.empty)), name: specs.map((s) => s.name) };
    COMPILED.set(specs, t);
  }
  return t;
}

/** Turns one JSON value into a cell (arrays joined with commas, numbers and booleans as text). */
export function cellFromJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A zod schema over an object with English field names whose rules are exactly `validate`
 * (the hand-written validator used by the importer), for callers that validate one record at
 * a boundary (HTTP, IPC).
 */
export function rowSchema<T>(specs: readonly FieldSpec[], validate: (cells: RawCells, problems: Problem[]) => T | null) {
  return z.record(z.string(), z.unknown()).transform((obj, ctx) => {
    const cells = specs.map((s) => cellFromJson(obj[s.name]));
    const problems: Problem[] = [];
    const value = validate(cells, problems);
    for (const p of problems) ctx.addIssue({ code: 'custom', path: p.path ? [p.path] : [], message: p.message, params: { zh: p.messageZh, code: p.code } });
    if (value === null || problems.length > 0) return z.NEVER;
    return value;
  });
}
