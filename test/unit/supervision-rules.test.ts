// Supervision rules at the counter: days of supply, the region's ceiling per prescription and the
// continuous-prescription refill rule, each at its boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { checkSupervision, daysOfSupply, maxQuantityFor, supplyRules, coverage, type DispensedEntry, type SupervisionRequestInput } from '../../core/supervision/index.ts';

const book = loadPolicyBook();
const DATE = '2025-03-01';

function sale(policy: string, lines: SupervisionRequestInput['lines'], date = DATE): SupervisionRequestInput {
  return { psnNo: 'P001', date, supply: supplyRules(book, policy, date), lines };
}
/** Amlodipine 5 mg × 28 tablets a box, 1 tablet a day unless said otherwise. */
const amlo = (over: Partial<SupervisionRequestInput['lines'][number]> = {}) => ({
  id: 'L1', code: 'XC08CAA046A001010100483', genericName: '氨氯地平', drugGroup: '钙通道阻滞剂类', quantity: '3', packageSize: '28', dailyDose: '1', ...over,
});
const past = (date: string, days: number, genericName = '氨氯地平', drugGroup: string | null = '钙通道阻滞剂类', source: 'counter' | 'import' = 'counter'): DispensedEntry => ({ date, days, genericName, drugGroup, source });

test('days of supply: packages × package size ÷ daily dose, rounded down', () => {
  assert.equal(daysOfSupply({ quantity: '2', quantityUnit: 'package', packageSize: '28', dailyDose: '1' }), 56);
  assert.equal(daysOfSupply({ quantity: '2', quantityUnit: 'package', packageSize: '28', dailyDose: '0.5' }), 112);
  assert.equal(daysOfSupply({ quantity: '30', quantityUnit: 'unit', packageSize: '28', dailyDose: '4' }), 7); // 7.5 days is 7 whole days
  assert.equal(daysOfSupply({ quantity: '1', quantityUnit: 'package', packageSize: '300', dailyDose: '24' }), 12); // insulin pen, 300 IU at 24 IU/day
  assert.throws(() => daysOfSupply({ quantity: '1', quantityUnit: 'package', packageSize: '28', dailyDose: '0' }), RangeError);
  assert.equal(maxQuantityFor(84, { quantityUnit: 'package', packageSize: '28', dailyDose: '1' }), '3');
  assert.equal(maxQuantityFor(90, { quantityUnit: 'package', packageSize: '28', dailyDose: '1' }), '3');
});

test('Chongqing: 12 weeks (84 days) per prescription is allowed, 85 days is blocked (seed 001 §四)', () => {
  const ok = checkSupervision(sale('chongqing', [amlo({ quantity: '84', quantityUnit: 'unit' })]), []);
  assert.equal(ok.blocked, false);
  assert.equal(ok.lines[0]!.days, 84);
  const over = checkSupervision(sale('chongqing', [amlo({ quantity: '85', quantityUnit: 'unit' })]), []);
  assert.equal(over.blocked, true);
  const f = over.lines[0]!.findings[0]!;
  assert.equal(f.rule, 'MAX_SUPPLY');
  assert.equal(f.days, 85);
  assert.equal(f.maxDays, 84);
  assert.equal(f.maxQuantity, '84');
  assert.match(f.messageZh, /最长84天/);
});

test('Kunming 4–12 weeks: 84 days allowed, 85 blocked (seed 002 §六.(二))', () => {
  assert.equal(checkSupervision(sale('kunming', [amlo({ quantity: '3' })]), []).blocked, false);
  assert.equal(checkSupervision(sale('kunming', [amlo({ quantity: '85', quantityUnit: 'unit' })]), []).blocked, true);
});

test('Ezhou and Dazhou: 3 months = 90 days allowed, 91 blocked (seed 003 §二.(一).4, seed 004 §二.(三))', () => {
  for (const policy of ['ezhou', 'dazhou']) {
    assert.equal(checkSupervision(sale(policy, [amlo({ quantity: '90', quantityUnit: 'unit' })]), []).blocked, false, policy);
    const r = checkSupervision(sale(policy, [amlo({ quantity: '91', quantityUnit: 'unit' })]), []);
    assert.equal(r.blocked, true, policy);
    assert.equal(r.lines[0]!.findings[0]!.maxDays, 90);
  }
});

test('Lincang sets no ceiling (seed 000 §二.(三).6): a long supply is not blocked by MAX_SUPPLY', () => {
  const r = checkSupervision(sale('lincang', [amlo({ quantity: '10' })]), []);
  assert.equal(r.rules.maxDaysPerPrescription, null);
  assert.equal(r.blocked, false);
});

test('the same drug across two lines: 56 + 28 = 84 passes, 56 + 29 = 85 blocks both lines', () => {
  const ok = checkSupervision(sale('chongqing', [amlo({ id: 'a', quantity: '2' }), amlo({ id: 'b', quantity: '28', quantityUnit: 'unit' })]), []);
  assert.equal(ok.blocked, false);
  const over = checkSupervision(sale('chongqing', [amlo({ id: 'a', quantity: '2' }), amlo({ id: 'b', quantity: '29', quantityUnit: 'unit' })]), []);
  assert.deepEqual(over.lines.map((l) => l.findings.map((f) => [f.rule, f.days])), [[['MAX_SUPPLY', 85]], [['MAX_SUPPLY', 85]]]);
});

test('refill: exactly 15 days left is allowed, 16 days left is blocked with the date it becomes allowed (seed 003 附件3 注意2)', () => {
  // 30 days dispensed on 1 January cover 1–30 January; 31 January is the first uncovered day.
  const history = [past('2025-01-01', 30)];
  const at15 = checkSupervision(sale('ezhou', [amlo({ quantity: '1' })], '2025-01-16'), history);
  assert.equal(at15.blocked, false);
  const at16 = checkSupervision(sale('ezhou', [amlo({ quantity: '1' })], '2025-01-15'), history);
  assert.equal(at16.blocked, true);
  const f = at16.lines[0]!.findings[0]!;
  assert.equal(f.rule, 'EARLY_REFILL');
  assert.equal(f.daysLeft, 16);
  assert.equal(f.allowedFrom, '2025-01-16');
  assert.deepEqual(f.last, { date: '2025-01-01', genericName: '氨氯地平', days: 30, source: 'counter' });
  assert.match(f.messageZh, /2025-01-16起可配/);
});

test('same ingredient class counts as the same drug; a different class does not', () => {
  const history = [past('2025-02-20', 28, '硝苯地平', '钙通道阻滞剂类')];
  const r = checkSupervision(sale('ezhou', [amlo({ quantity: '1' })]), history);
  assert.equal(r.blocked, true);
  assert.equal(r.lines[0]!.findings[0]!.last?.genericName, '硝苯地平');
  const other = checkSupervision(sale('ezhou', [amlo({ quantity: '1' })]), [past('2025-02-20', 28, '缬沙坦', 'ARB类')]);
  assert.equal(other.blocked, false);
  // Without a class on either side only the generic name matches.
  const noGroup = checkSupervision(sale('ezhou', [amlo({ quantity: '1', drugGroup: null })]), history);
  assert.equal(noGroup.blocked, false);
});

test('early refills chain: two back-to-back 28-day supplies reach 56 days ahead', () => {
  const history = [past('2025-01-01', 28), past('2025-01-10', 28)];
  const c = coverage({ genericName: '氨氯地平', drugGroup: null }, history, '2025-01-20');
  assert.equal(c?.coveredUntil, '2025-02-26'); // 1 Jan + 56 days
  const r = checkSupervision(sale('ezhou', [amlo({ quantity: '1' })], '2025-02-10'), history);
  assert.equal(r.lines[0]!.findings[0]!.daysLeft, 16);
  assert.equal(r.lines[0]!.findings[0]!.allowedFrom, '2025-02-11');
  // A gap resets the chain: supply after the first ran out starts on its own date.
  assert.equal(coverage({ genericName: '氨氯地平', drugGroup: null }, [past('2025-01-01', 10), past('2025-03-01', 10)], '2025-03-05')?.coveredUntil, '2025-03-11');
});

test('history from elsewhere (roster import) counts like the counter\'s own', () => {
  const r = checkSupervision(sale('ezhou', [amlo({ quantity: '1' })]), [past('2025-02-25', 30, '氨氯地平', null, 'import')]);
  assert.equal(r.blocked, true);
  assert.equal(r.lines[0]!.findings[0]!.last?.source, 'import');
});

test('a recorded override for the line and rule unblocks it, and only that rule', () => {
  const history = [past('2025-02-20', 30)];
  const req = sale('chongqing', [amlo({ quantity: '4' })]); // 112 days and an early refill
  const r0 = checkSupervision(req, history);
  assert.deepEqual(r0.lines[0]!.findings.map((f) => f.rule).sort(), ['EARLY_REFILL', 'MAX_SUPPLY']);
  const r1 = checkSupervision(req, history, [{ id: 'ov1', lineCode: amlo().code, rule: 'EARLY_REFILL' }]);
  assert.equal(r1.blocked, true, 'MAX_SUPPLY still blocks');
  const r2 = checkSupervision(req, history, [{ id: 'ov1', lineCode: amlo().code, rule: 'EARLY_REFILL' }, { id: 'ov2', lineCode: amlo().code, rule: 'MAX_SUPPLY' }]);
  assert.equal(r2.blocked, false);
  assert.deepEqual(r2.lines[0]!.findings.map((f) => f.overrideId).sort(), ['ov1', 'ov2']);
});

test('a line needs a daily dose or days; bad input names the field', () => {
  assert.throws(() => checkSupervision(sale('ezhou', [{ id: 'x', code: 'c', genericName: 'g', quantity: '1' }]), []), (e: { problems: { path: string }[] }) => e.problems[0]!.path === 'lines.0.dailyDose');
  const r = checkSupervision(sale('ezhou', [{ id: 'x', code: 'c', genericName: 'g', quantity: '1', days: 91 }]), []);
  assert.equal(r.lines[0]!.days, 91);
  assert.equal(r.blocked, true);
});

test('property: with one earlier dispensing, the refill is allowed exactly when days left ≤ 15', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 150 }), (days, after) => {
      const d0 = '2025-01-01';
      const when = new Date(Date.UTC(2025, 0, 1 + after)).toISOString().slice(0, 10);
      const r = checkSupervision(sale('lincang', [amlo({ quantity: '1' })], when), [past(d0, days)]);
      const left = Math.max(0, days - after);
      assert.equal(r.blocked, left > 15, `days ${days}, after ${after}`);
    }),
    { numRuns: 300 },
  );
});

test('two drugs of one class on one prescription are a warning (重复开药, seed 000 §二.(五).11), not a block', () => {
  const r = checkSupervision(sale('ezhou', [amlo({ id: 'a' }), amlo({ id: 'b', code: 'XNIFE', genericName: '硝苯地平' }), amlo({ id: 'c', code: 'XVAL', genericName: '缬沙坦', drugGroup: 'ARB类' })]), []);
  assert.equal(r.blocked, false);
  assert.deepEqual(r.lines.map((l) => l.findings.map((f) => [f.rule, f.severity])), [[['SAME_CLASS_IN_SALE', 'warn']], [['SAME_CLASS_IN_SALE', 'warn']], []]);
  assert.match(r.lines[0]!.findings[0]!.messageZh, /氨氯地平与硝苯地平同属钙通道阻滞剂类/);
});
