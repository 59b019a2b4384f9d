// A two-disease drug is paid for the condition the patient is filed for (seed 000 §二.(二).3 and
// its 附件2 lists, one per disease); a drug for the other condition is not covered and the
// counter offers 新增病种 (seed 003 §二.(三).1). Without `treats` the engine is unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { line, run } from '../helpers/quote.ts';
import { treatsOf } from '../../core/contract/catalog.ts';
import { TWO_DISEASE_LIST } from '../../core/demo/list.ts';

test('seed 000 附件2: every listed drug treats its list\'s condition, by category and by the ATC group of its code alone', () => {
  assert.ok(TWO_DISEASE_LIST.length > 40);
  for (const d of TWO_DISEASE_LIST) {
    const want = d.category === 'antidiabetic' ? 'diabetes' : 'hypertension';
    const code = `X${d.atc}A0010101001`;
    assert.equal(treatsOf({ category: d.category, code }), want, d.name);
    assert.equal(treatsOf({ category: 'other', code }), want, `${d.name} (${d.atc}) from its ATC group`);
  }
  assert.equal(treatsOf({ category: 'other', code: 'XC10AAA001A001010101001' }), null, 'C10 (lipid-lowering) treats neither');
  assert.equal(treatsOf({ category: 'other', code: 'XC01AAA001A001010101001' }), null, 'C01 (cardiac therapy) is not an antihypertensive group');
  assert.equal(treatsOf({ category: 'other', code: 'ZA10AAA001A001010101001' }), null, 'a Chinese patent medicine code has no ATC group');
  assert.equal(treatsOf({ category: 'other', code: 'XB01AAA001A001010101001' }), null);
});

test('seed 000 §二.(二).3: metformin for a hypertension-only patient is not covered, with the reason in Chinese; the other line is paid', () => {
  const r = run({ patient: { conditions: ['hypertension'] }, lines: [line({ id: 'metformin', price: '20.00', treats: 'diabetes' }), line({ id: 'amlodipine', price: '20.00', treats: 'hypertension' })] });
  const [m, a] = r.lines;
  assert.deepEqual([m!.covered, m!.fund, m!.patient, m!.reason?.code], [false, '0.00', '20.00', 'TREATS_UNFILED_DIABETES']);
  assert.match(m!.reason!.message, /降糖药.*未备案糖尿病.*新增病种/);
  assert.doesNotMatch(m!.reason!.message, /seed|§|[A-Z]{3}/);
  assert.deepEqual([a!.covered, a!.fund], [true, '12.00']);
  assert.equal(r.eligible, true);
  assert.equal(r.fund, '12.00');
  const d = run({ patient: { conditions: ['diabetes'] }, lines: [line({ treats: 'hypertension' })] });
  assert.equal(d.lines[0]!.reason?.code, 'TREATS_UNFILED_HYPERTENSION');
  const both = run({ patient: { conditions: ['hypertension', 'diabetes'] }, lines: [line({ treats: 'diabetes' }), line({ id: 'b', treats: 'hypertension' })] });
  assert.ok(both.lines.every((l) => l.covered), 'a patient filed for both gets both');
});

test('property: without `treats`, or with a matching one, the quote is exactly what it is without the field', () => {
  fc.assert(
    fc.property(
      fc.constantFrom<('hypertension' | 'diabetes')[]>(['hypertension'], ['diabetes'], ['hypertension', 'diabetes']),
      fc.array(fc.record({ price: fc.integer({ min: 1, max: 50000 }), vbp: fc.boolean(), listed: fc.boolean() }), { minLength: 1, maxLength: 5 }),
      fc.constantFrom('lincang', 'chongqing', 'kunming', 'ezhou', 'dazhou'),
      (conditions, ls, policy) => {
        const base = ls.map((l, i) => line({ id: `l${i}`, price: (l.price / 100).toFixed(2), vbp: l.vbp, listed: l.listed }));
        const extra = { policy, annualCap: '700.00', patient: { conditions, managementClass: 2 as const, designatedInstitution: 'H53090100001' } };
        const outcome = (lines: typeof base) => {
          try {
            return run({ ...extra, lines });
          } catch (e) {
            return { refused: (e as { code?: string }).code }; // a policy that cannot quote these facts refuses both alike
          }
        };
        const plain = outcome(base);
        const matching = outcome(base.map((l, i) => ({ ...l, treats: conditions[i % conditions.length] })));
        assert.deepEqual(matching, plain);
      },
    ),
    { numRuns: 150 },
  );
});
