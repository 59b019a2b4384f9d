// What a partial return gives back (core/settlement/partial-return.ts): exact to the fen, never
// more than was sold, and returned + left is always the sale's line, however the quantity is cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { leftOf, returnShare, type LineAmounts } from '../../core/settlement/partial-return.ts';
import { Decimal, fen } from '../../core/money/decimal.ts';

const D = (v: string | number) => new Decimal(v);
const negate = (a: LineAmounts): LineAmounts => ({
  quantity: D(a.quantity).negated().toString(),
  total: fen(D(a.total).negated()),
  in_scope: fen(D(a.in_scope).negated()),
  fund: fen(D(a.fund).negated()),
  patient_pay: fen(D(a.patient_pay).negated()),
});

test('3 boxes at ¥32.50 with a payment standard of ¥28.00 at 60%: one box back, then the other two', () => {
  // total 97.50, in scope 84.00 (超支付标准部分自付), fund 50.40 (60% of 84.00), patient 47.10
  const sold = { quantity: '3', price: '32.50', total: '97.50', in_scope: '84.00', fund: '50.40', patient_pay: '47.10' };
  const first = returnShare(sold, leftOf(sold, []), '1');
  assert.deepEqual(first, { quantity: '1', total: '32.50', in_scope: '28.00', fund: '16.80', patient_pay: '15.70' });
  const left = leftOf(sold, [negate(first)]);
  assert.deepEqual(left, { quantity: '2', total: '65.00', in_scope: '56.00', fund: '33.60', patient_pay: '31.40' });
  const rest = returnShare(sold, left, '2');
  assert.deepEqual(rest, { quantity: '2', total: '65.00', in_scope: '56.00', fund: '33.60', patient_pay: '31.40' });
  assert.deepEqual(leftOf(sold, [negate(first), negate(rest)]), { quantity: '0', total: '0.00', in_scope: '0.00', fund: '0.00', patient_pay: '0.00' });
});

test('amounts that do not divide: 3 × ¥0.35 at 90% gives back whole fen that still add up to the sale', () => {
  const sold = { quantity: '3', price: '0.35', total: '1.05', in_scope: '1.05', fund: '0.95', patient_pay: '0.10' };
  const a = returnShare(sold, leftOf(sold, []), '1');
  const b = returnShare(sold, leftOf(sold, [negate(a)]), '1');
  const c = returnShare(sold, leftOf(sold, [negate(a), negate(b)]), '1');
  for (const part of [a, b, c]) assert.equal(fen(D(part.fund).plus(part.patient_pay)), part.total, 'each return: fund + patient = total');
  assert.equal(fen(D(a.fund).plus(b.fund).plus(c.fund)), '0.95');
  assert.equal(fen(D(a.patient_pay).plus(b.patient_pay).plus(c.patient_pay)), '0.10');
  assert.equal(fen(D(a.total).plus(b.total).plus(c.total)), '1.05');
});

/** A line the engine itself priced (price, quantity, payment standard, rate), so the sale's amounts are real ones. */
const pricedLine = fc
  .record({
    priceFen: fc.integer({ min: 1, max: 50_000 }),
    priceExtra: fc.integer({ min: 0, max: 99 }), // 4-decimal unit prices (0.1234 a tablet)
    standardCut: fc.integer({ min: 0, max: 100 }),
    rate: fc.constantFrom('0.5', '0.6', '0.7', '0.9', '1'),
    units: fc.integer({ min: 1, max: 60 }),
    split: fc.constantFrom(1, 2, 4, 5, 10), // part packages as the counter takes them (0.5, 0.25, 0.2, 0.1 box)
  })
  .map((x) => {
    const price = D(x.priceFen).dividedBy(100).plus(D(x.priceExtra).dividedBy(1_000_000)).toString();
    const standard = D(price).times(100 - x.standardCut).dividedBy(100).toDecimalPlaces(4).toString();
    const quantity = D(x.units).dividedBy(x.split).toString();
    const total = D(fen(D(price).times(quantity)));
    const inScope = Decimal.min(total, D(fen(D(standard).times(quantity))));
    const fund = D(fen(inScope.times(x.rate)));
    return { price, quantity, total: fen(total), in_scope: fen(inScope), fund: fen(fund), patient_pay: fen(total.minus(fund)), units: x.units, split: x.split };
  });

test('any sequence of partial returns: each gives back ≥ 0 with fund + patient = total, and together exactly the sale', () => {
  fc.assert(
    fc.property(pricedLine, fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }), (sold, cuts) => {
      const returns: LineAmounts[] = [];
      let unitsLeft = sold.units;
      for (const cut of [...cuts, sold.units]) {
        if (unitsLeft === 0) break;
        const take = Math.min(cut, unitsLeft);
        const q = D(take).dividedBy(sold.split).toString();
        const back = returnShare(sold, leftOf(sold, returns), q);
        for (const k of ['total', 'in_scope', 'fund', 'patient_pay'] as const) assert.ok(!D(back[k]).isNegative(), `${k} back ${back[k]} ≥ 0`);
        assert.equal(fen(D(back.fund).plus(back.patient_pay)), back.total);
        returns.push(negate(back));
        unitsLeft -= take;
        const left = leftOf(sold, returns);
        for (const k of ['total', 'in_scope', 'fund', 'patient_pay'] as const) assert.ok(!D(left[k]).isNegative(), `${k} left ${left[k]} ≥ 0`);
        assert.ok(D(left.fund).lessThanOrEqualTo(left.in_scope), 'what is left keeps fund ≤ in scope');
      }
      assert.deepEqual(leftOf(sold, returns), { quantity: '0', total: '0.00', in_scope: '0.00', fund: '0.00', patient_pay: '0.00' });
    }),
    { numRuns: 2000 },
  );
});

test('the part kept is priced as the engine prices it: price × kept quantity', () => {
  fc.assert(
    fc.property(pricedLine, fc.integer({ min: 1, max: 59 }), (sold, take) => {
      fc.pre(take < sold.units);
      const back = returnShare(sold, leftOf(sold, []), D(take).dividedBy(sold.split).toString());
      const kept = D(sold.units - take).dividedBy(sold.split);
      assert.equal(fen(D(sold.total).minus(back.total)), fen(D(sold.price).times(kept)));
    }),
    { numRuns: 500 },
  );
});
