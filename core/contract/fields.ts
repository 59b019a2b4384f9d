// Field types shared by every contract: decimal strings for money and quantities,
// calendar dates. Each refusal says what is wrong, in English and Chinese.
import { z } from 'zod';

const DECIMAL = /^-?\d+(\.\d+)?$/;

export interface DecimalOptions {
  /** Most digits after the point (money 2, unit price 6, quantity 4, as the platform's fee detail). */
  maxDecimals: number;
  /** Refuse zero as well as negatives. */
  positive?: boolean;
  what: string;
  whatZh: string;
  /** Largest value accepted (a whole number, as text); none when absent. */
  max?: string;
}

/**
 * What a counter can meet (unbounded, a mistyped 10²⁰ quantity would settle a ¥10²⁴ sale): a line of at most
 * 10,000 packages, a unit price of at most ¥100,000 and a sale of at most ¥1,000,000.
 */
export const AMOUNT_LIMITS = { quantity: '10000', unitPrice: '100000', saleTotal: '1000000' } as const;

/** Is the non-negative decimal text greater than the whole number max? (string compare: no float, no Decimal on the hot path) */
export function exceedsMax(text: string, max: string): boolean {
  const dot = text.indexOf('.');
  let int = dot < 0 ? text : text.slice(0, dot);
  let i = 0;
  while (i < int.length - 1 && int.charCodeAt(i) === 48) i++;
  int = int.slice(i);
  if (int.length !== max.length) return int.length > max.length;
  if (int !== max) return int > max;
  return dot >= 0 && /[1-9]/.test(text.slice(dot + 1));
}

export function tooLargeMessage(what: string, whatZh: string, max: string, got: string) {
  return {
    message: `${what} must be at most ${max}, got ${got}`,
    zh: `${whatZh}不能超过 ${max}，收到 ${got}`,
  };
}

/**
 * A non-negative decimal given as a string (or, for convenience, a JSON number), returned
 * as its canonical string so no float ever reaches the arithmetic.
 */
export function decimalField(o: DecimalOptions) {
  return z.union([z.string(), z.number()]).transform((raw, ctx) => {
    const text = typeof raw === 'number' ? String(raw) : raw.trim();
    if (!DECIMAL.test(text)) {
      ctx.addIssue({
        code: 'custom',
        message: `${o.what} must be a decimal number such as "12.50", got ${JSON.stringify(raw)}`,
        params: { zh: `${o.whatZh}必须是数字（如 12.50），收到 ${JSON.stringify(raw)}` },
      });
      return z.NEVER;
    }
    if (text.startsWith('-')) {
      ctx.addIssue({ code: 'custom', message: `${o.what} must not be negative`, params: { zh: `${o.whatZh}不能为负数` } });
      return z.NEVER;
    }
    const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
    if (decimals > o.maxDecimals) {
      ctx.addIssue({
        code: 'custom',
        message: `${o.what} has ${decimals} decimals; at most ${o.maxDecimals} are allowed`,
        params: { zh: `${o.whatZh}最多允许 ${o.maxDecimals} 位小数，收到 ${decimals} 位` },
      });
      return z.NEVER;
    }
    if (o.positive && /^0*(\.0*)?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `${o.what} must be greater than zero`, params: { zh: `${o.whatZh}必须大于零` } });
      return z.NEVER;
    }
    if (o.max !== undefined && exceedsMax(text, o.max)) {
      const m = tooLargeMessage(o.what, o.whatZh, o.max, text);
      ctx.addIssue({ code: 'custom', message: m.message, params: { zh: m.zh } });
      return z.NEVER;
    }
    return text;
  });
}

export const money = (what: string, whatZh: string, max?: string) => decimalField({ maxDecimals: 2, what, whatZh, max });

/** The dates a request may carry: a counter never meets others, and date arithmetic past 9999 fails (found by fuzzing). */
export const DATE_RANGE = { from: '1850-01-01', to: '2099-12-31' } as const;

/** A real calendar date, yyyy-MM-dd (2024-02-30 is refused), within DATE_RANGE. */
export const isoDate = (what = 'date', whatZh = '日期') =>
  z.string().superRefine((text, ctx) => {
    if (!isRealDate(text)) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be a real date in the form yyyy-MM-dd, got ${JSON.stringify(text)}`,
        params: { zh: `${whatZh}必须是有效日期（格式 yyyy-MM-dd），收到 ${JSON.stringify(text)}` },
      });
    } else if (text < DATE_RANGE.from || text > DATE_RANGE.to) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be between ${DATE_RANGE.from} and ${DATE_RANGE.to}, got ${text}`,
        params: { zh: `${whatZh}超出有效范围（${DATE_RANGE.from} 至 ${DATE_RANGE.to}），收到 ${text}` },
      });
    }
  });

export function isRealDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}
