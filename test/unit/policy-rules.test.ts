// Every rate, cap and boundary of the five regions, each citing the seed paragraph it comes from.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { line, run } from '../helpers/quote.ts';
import { InputError } from '../../core/contract/problems.ts';
import { Decimal, fen, sum } from '../../core/money/decimal.ts';

const big = (over: Parameters<typeof line>[0] = {}) => line({ price: '100.00', quantity: 1, ...over });

describe('lincang (seed 000)', () => {
  test('§二.(二).3: listed drugs 60%, VBP drugs 90% from 2024-07-16', () => {
    const r = run({ lines: [big({ id: 'vbp', vbp: true }), big({ id: 'other', vbp: false })] });
    assert.equal(r.policy.version, '2024-07-16');
    assert.deepEqual(r.lines.map((l) => [l.rate, l.fund]), [['0.9', '90.00'], ['0.6', '60.00']]);
  });

  test('§二.(二).3: caps 600 hypertension, 660 diabetes, 720 both', () => {
    assert.equal(run({ patient: { conditions: ['hypertension'] } }).cap.limit, '600.00');
    assert.equal(run({ patient: { conditions: ['diabetes'] } }).cap.limit, '660.00');
    assert.equal(run({ patient: { conditions: ['diabetes', 'hypertension'] } }).cap.limit, '720.00');
  });

  test('§二.(二).3: before 2024-07-16 the 2022 rules apply (cap 400, 50% for every listed drug)', () => {
    const before = run({ date: '2024-07-15', patient: { conditions: ['hypertension', 'diabetes'] }, lines: [big({ vbp: true })] });
    assert.equal(before.policy.version, '2022-01-01');
    assert.equal(before.cap.limit, '400.00');
    assert.equal(before.lines[0]!.rate, '0.5');
    assert.equal(before.fund, '50.00');
    const on = run({ date: '2024-07-16', patient: { conditions: ['hypertension', 'diabetes'] }, lines: [big({ vbp: true })] });
    assert.equal(on.policy.version, '2024-07-16');
    assert.equal(on.fund, '90.00');
  });

  test('a date before the first version is an error, not a zero split', () => {
    assert.throws(() => run({ date: '2021-12-31' }), (e: unknown) => e instanceof InputError && e.code === 'NO_POLICY_VERSION' && e.problems[0]!.path === 'date');
  });

  test('§二.(二).4: chronic-disease benefits end the scheme from their start date', () => {
    const dayBefore = run({ date: '2024-08-31', patient: { chronicDiseaseSince: '2024-09-01' } });
    assert.equal(dayBefore.eligible, true);
    const onTheDay = run({ date: '2024-09-01', patient: { chronicDiseaseSince: '2024-09-01' } });
    assert.equal(onTheDay.eligible, false);
    assert.equal(onTheDay.fund, '0.00');
    assert.equal(onTheDay.reasons[0]!.code, 'CHRONIC_DISEASE_SUPERSEDES');
    assert.equal(onTheDay.patient, onTheDay.total);
  });

  test('§二.(二).3: residents only; employees are not covered', () => {
    const r = run({ patient: { insurance: 'employee' } });
    assert.equal(r.eligible, false);
    assert.equal(r.reasons[0]!.code, 'INSURANCE_NOT_COVERED');
    assert.match(r.reasons[0]!.message, /参保类型/);
  });

  test('§二.(二).4: an unlisted drug gets rate 0 with a reason; exams are not part of the drug scheme', () => {
    const r = run({ lines: [big({ id: 'x', listed: false }), big({ id: 'e', kind: 'exam' })] });
    assert.deepEqual(r.lines.map((l) => [l.covered, l.rate, l.fund, l.reason?.code]), [
      [false, '0', '0.00', 'NOT_LISTED'],
      [false, '0', '0.00', 'EXAM_NOT_COVERED'],
    ]);
  });

  test('§二.(二).4: the payment standard caps what the fund recognises (VBP: the winning price)', () => {
    const r = run({ lines: [line({ vbp: true, price: '1.20', paymentStandard: '0.80', quantity: 10 })] });
    const l = r.lines[0]!;
    assert.equal(l.total, '12.00');
    assert.equal(l.inScope, '8.00');
    assert.equal(l.fund, '7.20');
    assert.equal(l.patient, '4.80');
  });

  test('a patient with neither condition is not eligible', () => {
    const r = run({ patient: { conditions: [] } });
    assert.equal(r.eligible, false);
    assert.equal(r.reasons[0]!.code, 'NO_QUALIFYING_CONDITION');
  });
});

describe('chongqing (seed 001)', () => {
  const cq = (over: Parameters<typeof run>[0] = {}) =>
    run({ policy: 'chongqing', date: '2024-03-01', ...over, patient: { managementClass: 2, ...over.patient }, institution: { level: 1, ...over.institution } });

  test('§三.(一).1: VBP drugs 100% for both classes at level 2 and below', () => {
    for (const managementClass of [1, 2] as const) {
      for (const level of [1, 2] as const) {
        const r = cq({ patient: { managementClass }, institution: { level }, lines: [big({ vbp: true })] });
        assert.equal(r.lines[0]!.rate, '1', `class ${managementClass} level ${level}`);
        assert.equal(r.fund, '100.00');
      }
    }
  });

  test('§三.(一).1: other drugs: class 1 60% (level ≤ 2), class 2 80/60/40 by level', () => {
    assert.equal(cq({ patient: { managementClass: 1 }, institution: { level: 2 } }).lines[0]!.rate, '0.6');
    assert.deepEqual([1, 2, 3].map((level) => cq({ institution: { level: level as 1 | 2 | 3 } }).lines[0]!.rate), ['0.8', '0.6', '0.4']);
  });

  test('§三.(一).1: at level 3 a VBP drug falls to the class rate (class 2: 40%; class 1: not covered)', () => {
    const c2 = cq({ institution: { level: 3 }, lines: [big({ vbp: true })] });
    assert.equal(c2.lines[0]!.rate, '0.4');
    const c1 = cq({ patient: { managementClass: 1 }, institution: { level: 3 }, lines: [big({ vbp: true })] });
    assert.equal(c1.lines[0]!.covered, false);
    assert.equal(c1.lines[0]!.reason!.code, 'CLASS_NOT_COVERED_AT_LEVEL');
  });

  test('§三.(一).1: examinations covered for class 2 only, 80/60/40 by level', () => {
    assert.deepEqual([1, 2, 3].map((level) => cq({ institution: { level: level as 1 | 2 | 3 }, lines: [big({ kind: 'exam' })] }).lines[0]!.fund), ['80.00', '60.00', '40.00']);
    const c1 = cq({ patient: { managementClass: 1 }, lines: [big({ kind: 'exam' })] });
    assert.equal(c1.lines[0]!.reason!.code, 'EXAM_NOT_COVERED');
  });

  test('§三.(一).2: caps 500 class 1, 1000 class 2, 1500 with both diseases or one plus another chronic disease, +200 each further', () => {
    assert.equal(cq({ patient: { managementClass: 1 } }).cap.limit, '500.00');
    assert.equal(cq({ patient: { managementClass: 2, conditions: ['diabetes'] } }).cap.limit, '1000.00');
    assert.equal(cq({ patient: { conditions: ['hypertension', 'diabetes'] } }).cap.limit, '1500.00');
    assert.equal(cq({ patient: { managementClass: 1, otherChronicDiseases: 1 } }).cap.limit, '1500.00');
    assert.equal(cq({ patient: { otherChronicDiseases: 2 } }).cap.limit, '1700.00');
    assert.equal(cq({ patient: { conditions: ['hypertension', 'diabetes'], otherChronicDiseases: 2 } }).cap.limit, '1900.00');
  });

  test('§四: a pharmacy sale is settled at the prescribing institution level (双通道)', () => {
    const r = cq({ institution: { type: 'pharmacy', level: 2 } });
    assert.equal(r.eligible, true);
    assert.equal(r.lines[0]!.rate, '0.6');
  });

  test('§一: the management class is required; its absence names the field', () => {
    assert.throws(
      () => run({ policy: 'chongqing', date: '2024-03-01' }),
      (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'patient.managementClass'),
    );
  });

  test('§一: residents only', () => {
    assert.equal(cq({ patient: { insurance: 'employee' } }).eligible, false);
  });
});

describe('kunming (seed 002)', () => {
  const km = (over: Parameters<typeof run>[0] = {}) =>
    run({
      policy: 'kunming',
      date: '2024-05-01',
      annualCap: '1000.00',
      lines: [big({ vbp: true })],
      ...over,
      institution: { code: 'H53010200001', ...over.institution },
      patient: { designatedInstitution: 'H53010200001', ...over.patient },
    });

  test('§四.(一): VBP drugs 90% at level 1 and below, 50% at level 2', () => {
    assert.equal(km().fund, '90.00');
    assert.equal(km({ institution: { level: 2 } }).fund, '50.00');
  });

  test('§二: only VBP drugs are covered', () => {
    const r = km({ lines: [big({ vbp: false })] });
    assert.equal(r.lines[0]!.reason!.code, 'NOT_VBP');
    assert.equal(r.fund, '0.00');
  });

  test('§三: not at level 3, not at pharmacies; §五.(一): only at the chosen institution', () => {
    assert.equal(km({ institution: { level: 3 } }).reasons[0]!.code, 'INSTITUTION_LEVEL_NOT_COVERED');
    assert.equal(km({ institution: { type: 'pharmacy' } }).reasons[0]!.code, 'INSTITUTION_TYPE_NOT_COVERED');
    assert.equal(km({ patient: { designatedInstitution: 'H53010200999' } }).reasons[0]!.code, 'NOT_DESIGNATED_INSTITUTION');
    assert.equal(km({ patient: { designatedInstitution: null } }).reasons[0]!.code, 'NO_DESIGNATED_INSTITUTION');
  });

  test('§四.(三)(四): the cap is merged with another pool, so it must come with the request', () => {
    assert.equal(km().cap.limit, '1000.00');
    assert.equal(km().cap.source, 'request');
    assert.throws(() => km({ annualCap: null }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'annualCap'));
  });

  test('本通知自 2024 年 1 月 1 日起执行: a 2023 date is before the policy', () => {
    assert.throws(() => km({ date: '2023-12-31' }), (e: unknown) => e instanceof InputError && e.code === 'NO_POLICY_VERSION');
  });
});

describe('ezhou (seed 003)', () => {
  const ez = (over: Parameters<typeof run>[0] = {}) => run({ policy: 'ezhou', date: '2024-05-01', lines: [big()], ...over });

  test('§二.(一).3(1)(2): residents 50% cap 400, employees 60% cap 1400', () => {
    const res = ez();
    assert.deepEqual([res.lines[0]!.rate, res.cap.limit], ['0.5', '400.00']);
    const emp = ez({ patient: { insurance: 'employee' } });
    assert.deepEqual([emp.lines[0]!.rate, emp.cap.limit], ['0.6', '1400.00']);
  });

  test('§二.(一).3(3): both diseases raise the cap by 50%', () => {
    assert.equal(ez({ patient: { conditions: ['hypertension', 'diabetes'] } }).cap.limit, '600.00');
    assert.equal(ez({ patient: { insurance: 'employee', conditions: ['hypertension', 'diabetes'] } }).cap.limit, '2100.00');
  });

  test('§二.(一).2: designated medical institutions of any level and retail pharmacies', () => {
    assert.equal(ez({ institution: { level: 3 } }).eligible, true);
    assert.equal(ez({ institution: { type: 'pharmacy' } }).eligible, true);
  });

  test('§二.(一).4: chronic-disease benefits supersede from their start date', () => {
    assert.equal(ez({ patient: { chronicDiseaseSince: '2024-05-02' } }).eligible, true);
    assert.equal(ez({ patient: { chronicDiseaseSince: '2024-05-01' } }).reasons[0]!.code, 'CHRONIC_DISEASE_SUPERSEDES');
  });

  test('本方案自2023年1月1日起施行', () => {
    assert.throws(() => ez({ date: '2022-12-31' }), (e: unknown) => e instanceof InputError && e.code === 'NO_POLICY_VERSION');
  });
});

describe('dazhou (seed 004)', () => {
  test('§二.(三): residents and employees at every institution, but no published rate or cap: the error names both', () => {
    assert.throws(
      () => run({ policy: 'dazhou', date: '2024-05-01', patient: { insurance: 'employee' }, institution: { type: 'pharmacy', level: 3 } }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.code, 'POLICY_INCOMPLETE');
        const paths = e.problems.map((p) => p.path);
        assert.ok(paths.includes('lines.0'), paths.join());
        assert.ok(paths.includes('annualCap'), paths.join());
        assert.match(e.message, /publishes no reimbursement rate/);
        return true;
      },
    );
  });

  test('an ineligible patient is answered without needing the missing figures', () => {
    const r = run({ policy: 'dazhou', date: '2024-05-01', patient: { conditions: [] } });
    assert.equal(r.eligible, false);
    assert.equal(r.fund, '0.00');
  });
});

describe('the annual cap across several lines', () => {
  test('lines keep their fund in line order; the crossing line is cut, later lines get 0', () => {
    // lincang hypertension, cap 600, 550 already used: 50 left.
    const r = run({
      usedThisYear: '550.00',
      lines: [line({ id: '1', price: '30.00' }), line({ id: '2', price: '40.00' }), line({ id: '3', price: '20.00' })],
    });
    assert.deepEqual(r.lines.map((l) => l.fund), ['18.00', '24.00', '8.00']);
    assert.deepEqual(r.lines.map((l) => l.reason?.code ?? null), [null, null, 'CAP_PARTLY_USED']);
    assert.equal(r.cap.remainingBefore, '50.00');
    assert.equal(r.cap.remainingAfter, '0.00');
    assert.equal(r.fund, '50.00');
    assert.equal(r.patient, '40.00');

    const cut = run({ usedThisYear: '580.00', lines: [line({ id: '1', price: '30.00' }), line({ id: '2', price: '40.00' }), line({ id: '3', price: '20.00' })] });
    assert.deepEqual(cut.lines.map((l) => l.fund), ['18.00', '2.00', '0.00']);
    assert.equal(cut.lines[2]!.reason!.code, 'CAP_EXHAUSTED');
  });

  test('used beyond the cap leaves nothing, never a negative remainder', () => {
    const r = run({ usedThisYear: '700.00' });
    assert.equal(r.cap.remainingBefore, '0.00');
    assert.equal(r.fund, '0.00');
    assert.equal(r.reasons.at(-1)!.code, 'CAP_EXHAUSTED');
  });

  test('a cap supplied with the request overrides the policy table', () => {
    const r = run({ annualCap: '5.00' });
    assert.equal(r.cap.limit, '5.00');
    assert.equal(r.fund, '5.00');
  });
});

describe('rounding at the fen, fractional quantities', () => {
  test('total = round(price × quantity) half up; fund = round(inScope × rate) half up', () => {
    // 0.125 × 1 = 0.125 → 0.13 (half up, not banker's 0.12)
    const r = run({ lines: [line({ price: '0.125', quantity: 1 })] });
    assert.equal(r.lines[0]!.total, '0.13');
    // inScope 0.13 × 0.6 = 0.078 → 0.08
    assert.equal(r.lines[0]!.fund, '0.08');
    assert.equal(r.lines[0]!.patient, '0.05');
  });

  test('six-decimal prices and four-decimal quantities', () => {
    const r = run({ lines: [line({ price: '12.345678', paymentStandard: '10.000001', quantity: '1.5005' })] });
    // 12.345678 × 1.5005 = 18.5246898… → 18.52; 10.000001 × 1.5005 = 15.0050015… → 15.01
    assert.equal(r.lines[0]!.total, '18.52');
    assert.equal(r.lines[0]!.inScope, '15.01');
    assert.equal(r.lines[0]!.fund, '9.01'); // 15.01 × 0.6 = 9.006
  });

  test('line amounts add up exactly to the totals', () => {
    const r = run({ lines: [line({ id: '1', price: '0.333333', quantity: 3 }), line({ id: '2', price: '0.333333', quantity: 3, vbp: true }), line({ id: '3', price: '7.77', quantity: '0.3333' })] });
    const add = (k: 'total' | 'fund' | 'patient' | 'inScope') => fen(sum(r.lines.map((l) => new Decimal(l[k]))));
    assert.equal(add('total'), r.total);
    assert.equal(add('fund'), r.fund);
    assert.equal(add('patient'), r.patient);
    assert.equal(add('inScope'), r.inScope);
  });
});
