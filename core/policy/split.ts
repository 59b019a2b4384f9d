// The arithmetic of a quote once the rules have spoken: each line's total, the part the fund
// recognises (payment standard), the fund's share at the line's rate, all rounded to the fen half
// up, then the annual cap taken line by line in order. Two implementations with one meaning:
// splitScaled, exact integers (fen, millionths of a yuan), which the engine runs; and
// splitDecimal, the same steps in decimal.js, which the engine falls back to for any value the
// integers cannot hold exactly and which test/unit/policy-arithmetic.test.ts proves them equal to.
import { Decimal, ZERO, fen, roundFen } from '../money/decimal.ts';
import { ScaledOverflow, decimalsOf, fenText, mulRound, parseScaled } from '../money/scaled.ts';

/** Unit prices and payment standards in millionths of a yuan, quantities in ten-thousandths. */
export const PRICE_SCALE = 6;
export const QUANTITY_SCALE = 4;
/** price × quantity is in 10^-10 yuan; to fen. */
const LINE_SHIFT = PRICE_SCALE + QUANTITY_SCALE - 2;

/** One line's facts as decimal strings; rate null when the fund pays nothing for it. */
export interface SplitLineText {
  price: string;
  quantity: string;
  paymentStandard: string | null;
  rate: string | null;
}

export type CapCut = 'CAP_EXHAUSTED' | 'CAP_PARTLY_USED';

export interface SplitLine {
  total: string;
  inScope: string;
  fund: string;
  patient: string;
  /** Set when the cap cut this line's fund share. */
  cut: CapCut | null;
}

export interface Split {
  lines: SplitLine[];
  total: string;
  inScope: string;
  fund: string;
  patient: string;
  cap: { limit: string; remainingBefore: string; remainingAfter: string };
  /** Set when the cap cut any line: exhausted before the sale, or used up during it. */
  cut: CapCut | null;
}

/** A line in integers: price and standard in millionths, quantity in ten-thousandths, rate in 10^-rateScale. */
export interface SplitLineScaled {
  price: number;
  quantity: number;
  paymentStandard: number | null;
  rate: number;
  rateScale: number;
}

/** A rate as an integer and its scale, or null when it is not a plain decimal of at most 15 places. */
export function scaledRate(text: string): { rate: number; rateScale: number } | null {
  const rateScale = decimalsOf(text);
  if (rateScale < 0) return null;
  const rate = parseScaled(text, rateScale);
  return rate === null ? null : { rate, rateScale };
}

/**
 * The split in exact integers. used and cap in fen. Throws ScaledOverflow when a result would
 * leave the exact range (never for amounts within the contract's bounds).
 */
export function splitScaled(lines: readonly SplitLineScaled[], usedFen: number, capFen: number): Split {
  if (lines.length > 500) throw new ScaledOverflow();
  const remainingBefore = capFen > usedFen ? capFen - usedFen : 0;
  let left = remainingBefore;
  let capCut = false;
  let sumTotal = 0;
  let sumInScope = 0;
  let sumFund = 0;
  const out: SplitLine[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const total = mulRound(l.price, l.quantity, LINE_SHIFT);
    const s = l.paymentStandard;
    const inScope = s === null || s >= l.price ? total : mulRound(s, l.quantity, LINE_SHIFT);
    let fund = l.rate === 0 ? 0 : mulRound(inScope, l.rate, l.rateScale);
    let cut: CapCut | null = null;
    if (fund > left) {
      cut = left === 0 ? 'CAP_EXHAUSTED' : 'CAP_PARTLY_USED';
      fund = left;
      capCut = true;
    }
    left -= fund;
    sumTotal += total;
    sumInScope += inScope;
    sumFund += fund;
    out[i] = { total: fenText(total), inScope: fenText(inScope), fund: fenText(fund), patient: fenText(total - fund), cut };
  }
  return {
    lines: out,
    total: fenText(sumTotal),
    inScope: fenText(sumInScope),
    fund: fenText(sumFund),
    patient: fenText(sumTotal - sumFund),
    cap: { limit: fenText(capFen), remainingBefore: fenText(remainingBefore), remainingAfter: fenText(left) },
    cut: capCut ? (remainingBefore === 0 ? 'CAP_EXHAUSTED' : 'CAP_PARTLY_USED') : null,
  };
}

const RATES = new Map<string, Decimal>();
function rateOf(text: string): Decimal {
  let r = RATES.get(text);
  if (!r) RATES.set(text, (r = new Decimal(text)));
  return r;
}

/** The same split in decimal.js (the reference, and the fallback for values out of the integers' range). */
export function splitDecimal(lines: readonly SplitLineText[], used: string, capLimit: Decimal): Split {
  const priced = lines.map((line) => {
    const price = new Decimal(line.price);
    const qty = new Decimal(line.quantity);
    const total = roundFen(price.times(qty));
    const standard = line.paymentStandard == null ? null : new Decimal(line.paymentStandard);
    const inScope = standard === null || standard.gte(price) ? total : roundFen(standard.times(qty));
    const rate = line.rate === null ? ZERO : rateOf(line.rate);
    return { total, inScope, fund: rate.isZero() ? ZERO : roundFen(inScope.times(rate)) };
  });
  const usedThisYear = new Decimal(used);
  const remainingBefore = capLimit.greaterThan(usedThisYear) ? capLimit.minus(usedThisYear) : ZERO;
  let left = remainingBefore;
  let capCut = false;
  let sumTotal = ZERO;
  let sumInScope = ZERO;
  let sumFund = ZERO;
  const out = priced.map((l): SplitLine => {
    let fund = l.fund;
    let cut: CapCut | null = null;
    if (fund.greaterThan(left)) {
      cut = left.isZero() ? 'CAP_EXHAUSTED' : 'CAP_PARTLY_USED';
      fund = left;
      capCut = true;
    }
    left = left.minus(fund);
    sumTotal = sumTotal.plus(l.total);
    sumInScope = sumInScope.plus(l.inScope);
    sumFund = sumFund.plus(fund);
    return { total: fen(l.total), inScope: fen(l.inScope), fund: fen(fund), patient: fen(l.total.minus(fund)), cut };
  });
  return {
    lines: out,
    total: fen(sumTotal),
    inScope: fen(sumInScope),
    fund: fen(sumFund),
    patient: fen(sumTotal.minus(sumFund)),
    cap: { limit: fen(capLimit), remainingBefore: fen(remainingBefore), remainingAfter: fen(left) },
    cut: capCut ? (remainingBefore.isZero() ? 'CAP_EXHAUSTED' : 'CAP_PARTLY_USED') : null,
  };
}
