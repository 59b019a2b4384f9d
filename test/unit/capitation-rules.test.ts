// Capitation per head per month (seed 001 §三.(二)): 30 yuan hypertension, 70 diabetes, 100 both;
// patients who chose capitation mid-year count from that month.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPITATION_RATES, computeCapitation, countsFor, type CapitationPatient } from '../../core/capitation/index.ts';

const rates = CAPITATION_RATES.chongqing!;
const p = (over: Partial<CapitationPatient>): CapitationPatient => ({
  psnNo: 'P1', name: '张三', conditions: 'hypertension', paymentMode: 'capitation', capitationInstitution: 'H500101', capitationStartMonth: '2025-01',
  flaggedDate: '2024-06-01', status: 'active', stoppedDate: null, ...over,
});

test('rates are seed 001 §三.(二): hypertension 30, diabetes 70 per head per month', () => {
  assert.equal(rates.hypertension, '30.00');
  assert.equal(rates.diabetes, '70.00');
  const s = computeCapitation('H500101', '2025-03', rates, [p({ psnNo: 'A', conditions: 'hypertension' }), p({ psnNo: 'B', conditions: 'diabetes' }), p({ psnNo: 'C', conditions: 'both' })]);
  assert.deepEqual(s.lines.map((l) => [l.psnNo, l.amount]), [['A', '30.00'], ['B', '70.00'], ['C', '100.00']]);
  assert.equal(s.heads, 3);
  assert.equal(s.hypertensionHeads, 2);
  assert.equal(s.diabetesHeads, 2);
  assert.equal(s.hypertensionAmount, '60.00');
  assert.equal(s.diabetesAmount, '140.00');
  assert.equal(s.amount, '200.00');
});

test('a mid-year joiner counts from the month they chose capitation, not before', () => {
  const joiner = p({ capitationStartMonth: '2025-04' });
  assert.equal(countsFor(joiner, 'H500101', '2025-03'), false);
  assert.equal(countsFor(joiner, 'H500101', '2025-04'), true);
  const months = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`).filter((m) => countsFor(joiner, 'H500101', m));
  assert.equal(months.length, 9, 'April to December: 9 actual months');
});

test('only capitation patients of this institution; a stop ends the following months, not the month of the stop', () => {
  assert.equal(countsFor(p({ paymentMode: 'fee-for-service' }), 'H500101', '2025-03'), false);
  assert.equal(countsFor(p({ capitationInstitution: 'H500199' }), 'H500101', '2025-03'), false);
  const stopped = p({ status: 'stopped', stoppedDate: '2025-03-10' });
  assert.equal(countsFor(stopped, 'H500101', '2025-03'), true);
  assert.equal(countsFor(stopped, 'H500101', '2025-04'), false);
  assert.equal(countsFor(p({ status: 'stopped', stoppedDate: null }), 'H500101', '2025-03'), false);
  // Without a start month the flag date's month is the start.
  assert.equal(countsFor(p({ capitationStartMonth: null, flaggedDate: '2025-05-20' }), 'H500101', '2025-04'), false);
  assert.equal(countsFor(p({ capitationStartMonth: null, flaggedDate: '2025-05-20' }), 'H500101', '2025-05'), true);
});
