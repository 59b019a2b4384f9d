// All money arithmetic goes through this Decimal clone: 40 significant digits and
// half-up rounding, so a fen is never lost to binary floating point.
import DecimalJs from 'decimal.js';

export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);

/** Round to the fen (0.01 yuan), half up (the rounding every seed's 报销 arithmetic uses). */
export function roundFen(value: Decimal): Decimal {
  // Most amounts are already whole fen; skipping the rounding then keeps the engine fast.
  return value.decimalPlaces() <= 2 ? value : value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** The wire form of an amount: a string with exactly two decimals. */
export function fen(value: Decimal): string {
  if (value.isZero()) return '0.00';
  // toString is plain (no exponent) for exponents in [-7, 21): there, whole fen just need padding,
  // which is several times faster than toFixed on the engine's hot path.
  if (value.decimalPlaces() > 2 || value.e < -7 || value.e >= 21) {
    const fixed = value.toFixed(2, Decimal.ROUND_HALF_UP);
    return fixed === '-0.00' ? '0.00' : fixed;
  }
  const text = value.toString();
  const dot = text.indexOf('.');
  if (dot < 0) return `${text}.00`;
  return text.length - dot === 2 ? `${text}0` : text;
}

export function dec(value: string | number | Decimal): Decimal {
  return new Decimal(value);
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

export function min(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

/**
 * A unit price as printed and shown: at least two decimals, and every further one it has (up to the
 * platform's six), so price × quantity on a receipt adds up to the line total an auditor checks.
 */
export function unitPrice(value: string | Decimal): string {
  const d = new Decimal(value);
  return d.decimalPlaces() <= 2 ? fen(d) : d.toFixed(Math.min(6, d.decimalPlaces()), Decimal.ROUND_HALF_UP);
}
