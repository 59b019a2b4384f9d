// Fen rounding and formatting: half up, and the fast path agrees with decimal.js's toFixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal, fen, roundFen, unitPrice } from '../../core/money/decimal.ts';

test('roundFen rounds half up to the fen and leaves whole fen alone', () => {
  assert.equal(roundFen(new Decimal('0.125')).toString(), '0.13');
  assert.equal(roundFen(new Decimal('0.124999')).toString(), '0.12');
  assert.equal(roundFen(new Decimal('2.5')).toString(), '2.5');
  assert.equal(roundFen(new Decimal('18.5246898')).toString(), '18.52');
});

test('fen always prints two decimals, exactly as toFixed(2, half up) would', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), fc.integer({ min: 0, max: 8 }), (units, scale) => {
      const d = new Decimal(units.toString()).dividedBy(new Decimal(10).pow(scale));
      const expected = d.toFixed(2, Decimal.ROUND_HALF_UP);
      assert.equal(fen(d), expected === '-0.00' ? '0.00' : expected);
    }),
    { numRuns: 3000 },
  );
});

test('unit prices keep their own decimals (up to six) so price × quantity matches the line', () => {
  assert.equal(unitPrice('0.153'), '0.153');
  assert.equal(unitPrice('6.3'), '6.30');
  assert.equal(unitPrice('12.345678'), '12.345678');
  assert.equal(unitPrice('2'), '2.00');
});
