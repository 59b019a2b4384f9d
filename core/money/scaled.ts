// Exact scaled integers for the engine's hot path: an amount is a whole number of 10^-scale
// units (fen = scale 2, a unit price in millionths = scale 6). Every result is exact or the
// caller is told it is not (null / ScaledOverflow) and uses decimal.js instead, so no value is
// ever rounded by binary floating point. Half-up means half away from zero, as decimal.js does.

/** 10^0 … 10^15, all exact doubles. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Line results are kept below 2^43 fen, so 500 lines and a cap of 2^50 fen still add up exactly. */
export const SCALED_RESULT_LIMIT = 2 ** 43;
const PARSE_LIMIT = 2 ** 50;

/** A result fell outside the exact range: the caller recomputes with decimal.js. */
export class ScaledOverflow extends Error {
  constructor() {
    super('scaled integer out of exact range');
  }
}

/**
 * A plain decimal string (-?digits[.digits]) as an integer of 10^-scale units, or null when it
 * has another form, more decimals than `scale`, or is too large to hold exactly.
 */
export function parseScaled(text: string, scale: number): number | null {
  const n = text.length;
  let i = 0;
  let neg = false;
  if (n > 0 && text.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let v = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (decimals >= 0) return null;
      decimals = 0;
      continue;
    }
    if (c < 48 || c > 57) return null;
    if (decimals >= 0 && ++decimals > scale) return null;
    v = v * 10 + (c - 48);
    if (v > PARSE_LIMIT) return null;
    digits++;
  }
  if (digits === 0) return null;
  if (decimals < scale) {
    v *= POW10[scale - (decimals < 0 ? 0 : decimals)]!;
    if (v > PARSE_LIMIT) return null;
  }
  return neg ? -v : v;
}

/** The number of decimals of a plain decimal string with at most 15 of them (a rate), or -1. */
export function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  const d = dot < 0 ? 0 : text.length - dot - 1;
  return d <= 15 ? d : -1;
}

/** n / 10^shift rounded half away from zero; n a safe integer. */
function divRound(n: number, shift: number): number {
  if (shift === 0) return n;
  const d = POW10[shift]!;
  const m = n < 0 ? -n : n;
  const r = m % d;
  let q = (m - r) / d;
  if (r * 2 >= d) q++;
  return n < 0 ? -q : q;
}

/**
 * a × b / 10^shift, rounded half up (away from zero) to a whole unit, exactly: in doubles while the
 * product is a safe integer, else in BigInt. Throws ScaledOverflow when the result is too large.
 */
export function mulRound(a: number, b: number, shift: number): number {
  const p = a * b;
  let q: number;
  if (Number.isSafeInteger(p)) q = divRound(p, shift);
  else {
    const big = BigInt(a) * BigInt(b);
    const m = big < 0n ? -big : big;
    const d = BigInt(POW10[shift]!);
    let bq = m / d;
    if ((m % d) * 2n >= d) bq++;
    if (bq > BigInt(SCALED_RESULT_LIMIT)) throw new ScaledOverflow();
    q = big < 0n ? -Number(bq) : Number(bq);
  }
  if (q > SCALED_RESULT_LIMIT || q < -SCALED_RESULT_LIMIT) throw new ScaledOverflow();
  return q;
}

/** Whole fen as the wire form: exactly two decimals, zero (and minus zero) as 0.00. */
export function fenText(f: number): string {
  if (f === 0) return '0.00';
  const m = f < 0 ? -f : f;
  const cents = m % 100;
  const yuan = (m - cents) / 100;
  return `${f < 0 ? '-' : ''}${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}
