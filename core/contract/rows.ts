// Shared machinery for the row contracts (roster and catalog): a field table with English and
// Chinese column names, cell parsers that throw a FieldError naming what is wrong in both
// languages, and the zod wrapper so the same hand-written rules are the zod schema too.
// The rules are hand-written (not per-row zod) because a bureau file has a million rows.
import { z } from 'zod';
import type { Problem } from './problems.ts';

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

/** isRealDate for an already well-shaped yyyy-MM-dd, without building a Date (hot in imports). */
export function realDate(iso: string): boolean {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0);
  return d <= DAYS[m - 1]! + (leap ? 1 : 0);
}

/** yyyy-MM-dd, yyyy/M/d, yyyyMMdd, 2024年7月1日 (a time part is dropped) → yyyy-MM-dd. */
export function parseDate(text: string, what: string, whatZh: string): string {
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

/** An identifier: letters, digits and - _ . only. */
export function parseCode(max: number, what: string, whatZh: string) {
  const re = new RegExp(`^[A-Za-z0-9_.\\-]{1,${max}}$`);
  return (text: string): string => {
    if (!re.test(text)) return fail('INVALID_CODE', `${what} must be 1–${max} letters or digits, got ${JSON.stringify(text)}`, `${whatZh}必须是1至${max}位字母或数字，收到 ${JSON.stringify(text)}`);
    return text;
  };
}

export function enumParser<T>(table: Record<string, T>, what: string, whatZh: string, allowed: string) {
  const normalized = new Map<string, T>();
  for (const [k, v] of Object.entries(table)) normalized.set(k.toLowerCase(), v);
  return (text: string): T => {
    const v = normalized.get(text.toLowerCase());
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
  const out = new Array<unknown>(specs.length);
  for (let i = 0; i < specs.length; i++) {
    const cell = cells[i];
    if (cell === undefined) continue;
    const spec = specs[i]!;
    const text = cell.trim();
    if (text === '') {
      out[i] = spec.empty === undefined ? null : spec.empty;
      continue;
    }
    try {
      out[i] = spec.parse(text);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      problems.push({ path: spec.name, code: e.code, message: e.message, messageZh: e.messageZh });
    }
  }
  return out;
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
