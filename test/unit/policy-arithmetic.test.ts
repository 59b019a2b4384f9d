// The engine's exact integer arithmetic (core/money/scaled.ts, core/policy/split.ts) against the
// decimal.js arithmetic it replaced, kept as splitDecimal / quoteWithVersionInDecimal: on random
// quantities, prices, payment standards, rates, caps and prior use, and on every half-up edge
// (x.xx5, zero, negative, exactly at the cap, the contract's largest amounts), both give the same
// strings. A difference of one fen anywhere fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '../../core/money/decimal.ts';
import { fenText, mulRound, parseScaled, ScaledOverflow } from '../../core/money/scaled.ts';
import { scaledRate, splitDecimal, splitScaled, PRICE_SCALE, QUANTITY_SCALE, type SplitLineText } from '../../core/policy/split.ts';
import { quoteWithVersion, quoteWithVersionInDecimal } from '../../core/policy/engine.ts';
import { QuoteRequestSchema, type QuoteRequest, type QuoteRequestInput } from '../../core/contract/quote.ts';
import { AMOUNT_LIMITS } from '../../core/contract/fields.ts';
import { book, request } from '../helpers/quote.ts';

/** A decimal string with at most `decimals` places and an integer part up to maxInt; sometimes negative. */
const decimalText = (maxInt: number, decimals: number, negative = false) =>
  fc
    .tuple(fc.boolean(), fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: decimals }), fc.integer({ min: 0, max: 10 ** decimals - 1 }))
    .map(([neg, i, places, f]) => {
      const frac = String(f).padStart(decimals, '0').slice(0, places);
      return `${negative && neg ? '-' : ''}${i}${places > 0 ? '.' + frac : ''}`;
    });

/** Values that sit on a rounding edge: a half fen, just under and over it, whole fen. */
const edgePrice = fc.constantFrom('0.005', '0.015', '0.125', '1.005', '2.675', '0.004999', '0.005001', '10.0050', '0', '0.000001', '99999.999995', '100000', '0.145', '0.155');
const edgeQuantity = fc.constantFrom('1', '3', '0.0001', '0.5', '1.5', '10000', '7', '0.3333', '2');
const priceArb = fc.oneof({ weight: 3, arbitrary: decimalText(1000, 6) }, { weight: 1, arbitrary: decimalText(100000, 6) }, { weight: 2, arbitrary: edgePrice });
const quantityArb = fc.oneof({ weight: 3, arbitrary: decimalText(200, 4) }, { weight: 1, arbitrary: decimalText(10000, 4) }, { weight: 2, arbitrary: edgeQuantity });
const rateArb = fc.oneof(fc.constantFrom('0', '1', '1.0', '0.5', '0.6', '0.45', '0.333333', '0.125', '0.95', '0.005', '0.7'), decimalText(0, 6).map((t) => (t === '0' ? '0.5' : t)));

const lineArb = (negative: boolean) =>
  fc.record({
    price: negative ? fc.oneof(priceArb, decimalText(1000, 6, true)) : priceArb,
    quantity: negative ? fc.oneof(quantityArb, decimalText(200, 4, true)) : quantityArb,
    paymentStandard: fc.option(fc.oneof(priceArb, edgePrice), { nil: null }),
    rate: fc.option(rateArb, { nil: null }),
  });

const fenAmount = (negative = false) => fc.oneof(decimalText(5000, 2, negative), fc.constantFrom('0', '0.00', '0.01', '1000000', '650.00', '999999.99'));

function scaledLine(l: SplitLineText) {
  const r = l.rate === null ? { rate: 0, rateScale: 0 } : scaledRate(l.rate)!;
  return { price: parseScaled(l.price, PRICE_SCALE)!, quantity: parseScaled(l.quantity, QUANTITY_SCALE)!, paymentStandard: l.paymentStandard === null ? null : parseScaled(l.paymentStandard, PRICE_SCALE)!, ...r };
}

test('integer split equals the decimal.js split on random lines, caps and prior use (negative and zero included)', () => {
  fc.assert(
    fc.property(fc.array(lineArb(true), { minLength: 1, maxLength: 8 }), fenAmount(true), fenAmount(true), (lines, used, cap) => {
      assert.deepEqual(splitScaled(lines.map(scaledLine), parseScaled(used, 2)!, parseScaled(cap, 2)!), splitDecimal(lines, used, new Decimal(cap)));
    }),
    { numRuns: 3000 },
  );
});

test('integer split equals decimal.js exactly at the cap: the cap set to the fund of the first k lines, plus or minus a fen', () => {
  fc.assert(
    fc.property(fc.array(lineArb(false), { minLength: 1, maxLength: 6 }), fc.nat(6), fc.constantFrom(-1, 0, 1), fenAmount(), (lines, k, delta, used) => {
      // The fund before any cap, line by line, to place the cap right on a line boundary.
      const free = splitDecimal(lines, '0', new Decimal('1e30'));
      const upTo = free.lines.slice(0, Math.min(k, lines.length)).reduce((s, l) => s.plus(l.fund), new Decimal(used));
      const cap = Decimal.max(0, upTo.plus(new Decimal(delta).times('0.01'))).toFixed(2);
      const exact = splitScaled(lines.map(scaledLine), parseScaled(used, 2)!, parseScaled(cap, 2)!);
      assert.deepEqual(exact, splitDecimal(lines, used, new Decimal(cap)));
    }),
    { numRuns: 2000 },
  );
});

test('the largest amounts the contract allows stay exact (beyond 2^53 in 10^-10 yuan the product goes through BigInt)', () => {
  const lines: SplitLineText[] = [
    { price: AMOUNT_LIMITS.unitPrice, quantity: '9.9999', paymentStandard: '99999.999999', rate: '0.333333' },
    { price: '99999.999995', quantity: AMOUNT_LIMITS.quantity.slice(0, 2), paymentStandard: null, rate: '1' },
    { price: '0.000001', quantity: AMOUNT_LIMITS.quantity, paymentStandard: null, rate: '0.5' },
  ];
  for (const cap of ['0', '1000000', '999999.99', '1000000.00']) {
    assert.deepEqual(splitScaled(lines.map(scaledLine), parseScaled('0.01', 2)!, parseScaled(cap, 2)!), splitDecimal(lines, '0.01', new Decimal(cap)));
  }
  fc.assert(
    fc.property(decimalText(100000, 6), decimalText(10000, 4), rateArb, (price, quantity, rate) => {
      const l = [{ price, quantity, paymentStandard: null, rate }];
      let exact;
      try {
        exact = splitScaled(l.map(scaledLine), 0, parseScaled('1000000', 2)!);
      } catch (e) {
        assert.ok(e instanceof ScaledOverflow);
        return; // the engine then uses decimal.js; never for a sale within the contract's total
      }
      assert.deepEqual(exact, splitDecimal(l, '0', new Decimal('1000000')));
    }),
    { numRuns: 2000 },
  );
});

test('half up is half away from zero, as decimal.js rounds: x.xx5, just below and above, negative', () => {
  // 0.005 × 1 = half a fen
  assert.equal(mulRound(5000, 10000, 8), 1);
  assert.equal(mulRound(-5000, 10000, 8), -1);
  assert.equal(mulRound(4999, 10000, 8), 0);
  assert.equal(mulRound(5001, 10000, 8), 1);
  assert.equal(mulRound(-4999, 10000, 8), -0);
  // 2.675 × 1 (a float would give 2.67)
  assert.equal(fenText(mulRound(2_675_000, 10000, 8)), '2.68');
  assert.equal(fenText(mulRound(-2_675_000, 10000, 8)), '-2.68');
  // beyond the safe range: 100000 × 10000 in 10^-10 yuan is 1e19
  assert.equal(mulRound(100000_000000, 10000_0000, 8), 1_000_000_000 * 100);
  assert.throws(() => mulRound(2 ** 50, 2 ** 50, 8), ScaledOverflow);
  for (const [f, t] of [[0, '0.00'], [-0, '0.00'], [1, '0.01'], [-1, '-0.01'], [10, '0.10'], [123456, '1234.56'], [-100, '-1.00']] as const) assert.equal(fenText(f), t);
});

test('parsing takes plain decimals exactly and refuses what it cannot hold (more places, other forms, too large)', () => {
  assert.equal(parseScaled('12.345678', 6), 12_345_678);
  assert.equal(parseScaled('1.5', 4), 15_000);
  assert.equal(parseScaled('007', 2), 700);
  assert.equal(parseScaled('.5', 2), 50);
  assert.equal(parseScaled('-0.01', 2), -1);
  for (const bad of ['1.2345678', '1e2', '', '-', '.', '1.2.3', ' 1', '+1', '0x10', '9'.repeat(17)]) assert.equal(parseScaled(bad, 6), null, bad);
});

// Whole quotes, every region: the engine as callers run it against the same engine in decimal.js.
const saleArb = fc.record({
  policy: fc.constantFrom('lincang', 'chongqing', 'kunming', 'ezhou', 'dazhou'),
  date: fc.constantFrom('2024-03-01', '2024-07-15', '2024-08-01', '2025-06-30'),
  type: fc.constantFrom('clinic', 'pharmacy') as fc.Arbitrary<'clinic' | 'pharmacy'>,
  level: fc.constantFrom(1, 2, 3) as fc.Arbitrary<1 | 2 | 3>,
  insurance: fc.constantFrom('resident', 'employee') as fc.Arbitrary<'resident' | 'employee'>,
  conditions: fc.subarray(['hypertension', 'diabetes'] as ('hypertension' | 'diabetes')[]),
  managementClass: fc.option(fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>, { nil: undefined }),
  other: fc.integer({ min: 0, max: 4 }),
  used: fenAmount(),
  cap: fc.option(fenAmount(), { nil: undefined }),
  lines: fc.array(
    fc.record({
      kind: fc.constantFrom('drug', 'drug', 'exam') as fc.Arbitrary<'drug' | 'exam'>,
      listed: fc.boolean(),
      vbp: fc.boolean(),
      price: priceArb,
      paymentStandard: fc.option(priceArb, { nil: undefined }),
      quantity: quantityArb.filter((q) => Number(q) > 0),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return { threw: (e as Error).message };
  }
}

test('whole quotes: the integer engine and the decimal.js engine give byte-identical results in every region', () => {
  let compared = 0;
  fc.assert(
    fc.property(saleArb, (s) => {
      const input: QuoteRequestInput = request({
        policy: s.policy,
        date: s.date,
        usedThisYear: s.used,
        annualCap: s.cap,
        institution: { type: s.type, level: s.level, code: 'H00000000001' },
        patient: { insurance: s.insurance, conditions: s.conditions, managementClass: s.managementClass, otherChronicDiseases: s.other, designatedInstitution: 'H00000000001' },
        lines: s.lines.map((l, i) => ({ id: String(i), ...l })),
      });
      const parsed = QuoteRequestSchema.safeParse(input);
      if (!parsed.success) return;
      const req = parsed.data;
      const { policy, version } = outcome(() => book.resolve(req.policy, req.date)) as ReturnType<typeof book.resolve>;
      if (!policy) return;
      compared++;
      assert.equal(JSON.stringify(outcome(() => quoteWithVersion(policy, version, req))), JSON.stringify(outcome(() => quoteWithVersionInDecimal(policy, version, req))));
    }),
    { numRuns: 4000 },
  );
  assert.ok(compared > 1000, `only ${compared} sales compared`);
});

test('values the integers cannot hold (exponent form, a seventh decimal, a huge cap) fall back to decimal.js with the same result', () => {
  const { policy, version } = book.resolve('lincang', '2024-08-01');
  const base = QuoteRequestSchema.parse(request({ usedThisYear: '100.00' }));
  const odd: QuoteRequest[] = [
    { ...base, lines: [{ ...base.lines[0]!, price: '1.5e1' }] },
    { ...base, lines: [{ ...base.lines[0]!, price: '0.1234567', paymentStandard: '0.1234565' }] },
    { ...base, annualCap: '123456789012345678901234.56' },
    { ...base, usedThisYear: '0.125', annualCap: '1000.005' },
  ];
  for (const req of odd) assert.deepEqual(quoteWithVersion(policy, version, req), quoteWithVersionInDecimal(policy, version, req));
  // garbage still fails as decimal.js fails
  assert.throws(() => quoteWithVersion(policy, version, { ...base, lines: [{ ...base.lines[0]!, price: 'abc' }] }), /DecimalError/);
});
