// Properties that must hold for any sale, in any region: the split adds up, stays within
// the recognised amount, never exceeds the cap, and more prior use never raises the fund.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { book, parse, request } from '../helpers/quote.ts';
import { quote } from '../../core/policy/index.ts';
import { Decimal, fen, sum } from '../../core/money/decimal.ts';
import type { QuoteRequestInput } from '../../core/contract/quote.ts';

const decimalString = (maxInt: number, decimals: number, positive = false) =>
  fc.tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: 10 ** decimals - 1 })).filter(([i, f]) => !positive || i > 0 || f > 0).map(([i, f]) => (decimals === 0 ? String(i) : `${i}.${String(f).padStart(decimals, '0')}`));

const lineArb = fc.record({
  kind: fc.constantFrom('drug', 'drug', 'drug', 'exam') as fc.Arbitrary<'drug' | 'exam'>,
  listed: fc.boolean(),
  vbp: fc.boolean(),
  price: decimalString(500, 6),
  paymentStandard: fc.option(decimalString(500, 6), { nil: undefined }),
  quantity: decimalString(200, 4, true),
});

const saleArb = fc.record({
  policy: fc.constantFrom('lincang', 'chongqing', 'kunming', 'ezhou', 'dazhou'),
  date: fc.constantFrom('2024-03-01', '2024-07-15', '2024-07-16', '2025-06-30'),
  type: fc.constantFrom('clinic', 'pharmacy') as fc.Arbitrary<'clinic' | 'pharmacy'>,
  level: fc.constantFrom(1, 2, 3) as fc.Arbitrary<1 | 2 | 3>,
  insurance: fc.constantFrom('resident', 'employee') as fc.Arbitrary<'resident' | 'employee'>,
  conditions: fc.subarray(['hypertension', 'diabetes'] as ('hypertension' | 'diabetes')[], { minLength: 1 }),
  managementClass: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>,
  other: fc.integer({ min: 0, max: 3 }),
  used: decimalString(2000, 2),
  cap: fc.option(decimalString(2000, 2), { nil: undefined }),
  lines: fc.array(lineArb, { minLength: 1, maxLength: 8 }),
});

type Sale = typeof saleArb extends fc.Arbitrary<infer T> ? T : never;

function toRequest(s: Sale): QuoteRequestInput {
  return request({
    policy: s.policy,
    date: s.date,
    usedThisYear: s.used,
    // dazhou and kunming need the cap with the request; give it to every region half the time
    annualCap: s.cap ?? (s.policy === 'dazhou' || s.policy === 'kunming' ? '800.00' : undefined),
    institution: { type: s.type, level: s.level, code: 'H00000000001' },
    patient: { insurance: s.insurance, conditions: s.conditions, managementClass: s.managementClass, otherChronicDiseases: s.other, designatedInstitution: 'H00000000001' },
    lines: s.lines.map((l, i) => ({ id: String(i), ...l })),
  });
}

/** Quotes, or null when the policy cannot (dazhou without site rates). */
function tryQuote(input: QuoteRequestInput) {
  try {
    return quote(book, parse(input));
  } catch (e) {
    if ((e as { code?: string }).code === 'POLICY_INCOMPLETE' || (e as { code?: string }).code === 'NO_POLICY_VERSION') return null;
    throw e;
  }
}

test('fund + patient = total; 0 ≤ fund ≤ inScope ≤ total per line; lines add up to the sale', () => {
  fc.assert(
    fc.property(saleArb, (s) => {
      const r = tryQuote(toRequest(s));
      if (!r) return;
      for (const l of r.lines) {
        const [total, inScope, fund, patient] = [l.total, l.inScope, l.fund, l.patient].map((x) => new Decimal(x));
        assert.ok(fund!.plus(patient!).equals(total!), `line ${l.id}: ${l.fund} + ${l.patient} ≠ ${l.total}`);
        assert.ok(fund!.gte(0) && fund!.lte(inScope!) && inScope!.lte(total!), JSON.stringify(l));
      }
      for (const k of ['total', 'fund', 'patient', 'inScope'] as const) {
        assert.equal(fen(sum(r.lines.map((l) => new Decimal(l[k])))), r[k], k);
      }
    }),
    { numRuns: 400 },
  );
});

test('the fund never exceeds what the cap leaves', () => {
  fc.assert(
    fc.property(saleArb, (s) => {
      const r = tryQuote(toRequest(s));
      if (!r) return;
      const left = Decimal.max(0, new Decimal(r.cap.limit).minus(s.used));
      assert.ok(new Decimal(r.fund).lte(left), `fund ${r.fund} > left ${left}`);
      assert.equal(r.cap.remainingAfter, fen(left.minus(r.fund)));
    }),
    { numRuns: 400 },
  );
});

test('more usedThisYear never raises the fund', () => {
  fc.assert(
    fc.property(saleArb, decimalString(500, 2), (s, extra) => {
      const a = tryQuote(toRequest(s));
      if (!a) return;
      const b = tryQuote(toRequest({ ...s, used: fen(new Decimal(s.used).plus(extra)) }));
      assert.ok(b);
      assert.ok(new Decimal(b.fund).lte(a.fund), `${b.fund} > ${a.fund}`);
      for (let i = 0; i < a.lines.length; i++) assert.ok(new Decimal(b.lines[i]!.fund).lte(a.lines[i]!.fund));
    }),
    { numRuns: 300 },
  );
});
