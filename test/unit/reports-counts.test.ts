// 结算笔数 / 结算人次 / 退费笔数 are counted one way for every report: a sale fully reversed in the
// period is not a settlement, the reversals are counted apart, and one patient settling twice on
// one day is one visit. The monthly report (鄂州医保发〔2022〕76号 附件4/5) and the statistics
// (临医保联发〔2024〕27号 二、（五）12) carry the same figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSettlements } from '../../core/reports/counts.ts';

const f = (id: string, kind: 'sale' | 'reversal', psnNo: string, date: string, total: string, originalId: string | null = null) => ({ id, kind, originalId, psnNo, date, total });

test('a fully reversed sale counts in neither 结算笔数 nor 结算人次; the reversal is counted apart', () => {
  const c = countSettlements([
    f('S1', 'sale', 'P1', '2025-03-01', '10.00'),
    f('S2', 'sale', 'P1', '2025-03-01', '5.00'), // same patient, same day: a second settlement, the same visit
    f('S3', 'sale', 'P2', '2025-03-02', '8.00'),
    f('R3', 'reversal', 'P2', '2025-03-02', '-8.00', 'S3'),
    f('S4', 'sale', 'P3', '2025-03-03', '9.00'),
    f('R4', 'reversal', 'P3', '2025-03-03', '-4.00', 'S4'), // a partial return: the sale still counts
  ]);
  assert.deepEqual(c, { settlements: 3, visits: 2, reversals: 2, fullyReversed: 1 });
});

test('a reversal of a sale outside the period is counted apart and changes no sale count', () => {
  const c = countSettlements([f('S1', 'sale', 'P1', '2025-03-05', '10.00'), f('R0', 'reversal', 'P9', '2025-02-27', '-3.00', 'S0')]);
  assert.deepEqual(c, { settlements: 1, visits: 1, reversals: 1, fullyReversed: 0 });
});
