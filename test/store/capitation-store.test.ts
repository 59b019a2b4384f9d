// Capitation statements on a real database (migration 52): one per institution and month, the
// repeated run returns the stored statement, and the year-end summary counts actual months.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capitationStatement, capitationYear } from '../../core/capitation/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { addPatient, withDb } from '../helpers/store-fixtures.ts';

const H = 'H50010100001';

function roster(db: Parameters<typeof addPatient>[0]) {
  addPatient(db, { psn_no: 'A', conditions: 'hypertension', payment_mode: 'capitation', capitation_institution: H, capitation_start_month: '2025-01' });
  addPatient(db, { psn_no: 'B', conditions: 'diabetes', payment_mode: 'capitation', capitation_institution: H, capitation_start_month: '2025-01' });
  addPatient(db, { psn_no: 'C', conditions: 'both', payment_mode: 'capitation', capitation_institution: H, capitation_start_month: '2025-07' }); // mid-year joiner
  addPatient(db, { psn_no: 'D', conditions: 'both', payment_mode: 'capitation', capitation_institution: 'H-OTHER', capitation_start_month: '2025-01' });
  addPatient(db, { psn_no: 'E', conditions: 'diabetes', payment_mode: 'fee-for-service' });
}

test('migration 52 makes statements final', () => {
  withDb((db) => {
    roster(db);
    const { statement } = capitationStatement(db, { institution: H, month: '2025-03', policy: 'chongqing', today: '2026-01-05' });
    assert.throws(() => db.prepare(`UPDATE capitation_statement SET amount = '0.00' WHERE id = ?`).run(statement.id), /final/);
    assert.throws(() => db.prepare(`DELETE FROM capitation_line WHERE statement_id = ?`).run(statement.id), /never deleted/);
    assert.throws(() => db.prepare(`INSERT INTO capitation_statement (id, institution_code, month, policy, rates_json, heads, hypertension_heads, diabetes_heads, hypertension_amount, diabetes_amount, amount, created_at) VALUES ('x', ?, '2025-03', 'chongqing', '{}', 0, 0, 0, '0', '0', '0', 'now')`).run(H), /UNIQUE/);
  });
});

test('the monthly statement: 30 + 70 for March; running it again returns the same stored statement', () => {
  withDb((db) => {
    roster(db);
    const first = capitationStatement(db, { institution: H, month: '2025-03', policy: 'chongqing', today: '2026-01-05' });
    assert.equal(first.reused, false);
    assert.deepEqual(first.statement.lines.map((l) => [l.psnNo, l.amount]), [['A', '30.00'], ['B', '70.00']]);
    assert.equal(first.statement.amount, '100.00');
    // The roster changes afterwards; the stored statement does not.
    addPatient(db, { psn_no: 'F', conditions: 'diabetes', payment_mode: 'capitation', capitation_institution: H, capitation_start_month: '2025-02' });
    const again = capitationStatement(db, { institution: H, month: '2025-03', policy: 'chongqing', today: '2026-01-05' });
    assert.equal(again.reused, true);
    assert.equal(again.statement.id, first.statement.id);
    assert.equal(again.statement.amount, '100.00');
    // …while saying what the roster would give now.
    assert.deepEqual(again.roster, { heads: 3, amount: '170.00', differs: true });
    assert.equal((db.prepare(`SELECT count(*) AS n FROM capitation_statement`).get() as { n: number }).n, 1);
  });
});

test('year-end summary: the mid-year joiner is paid for 6 actual months; missing months are listed', () => {
  withDb((db) => {
    roster(db);
    for (let m = 1; m <= 12; m++) {
      if (m === 5) continue; // never run for May
      capitationStatement(db, { institution: H, month: `2025-${String(m).padStart(2, '0')}`, policy: 'chongqing', today: '2026-01-05' });
    }
    const y = capitationYear(db, H, '2025');
    assert.deepEqual(y.missingMonths, ['2025-05']);
    assert.equal(y.months.length, 11);
    const c = y.patients.find((p) => p.psnNo === 'C');
    assert.deepEqual(c, { psnNo: 'C', months: 6, amount: '600.00' }); // July–December × 100
    assert.deepEqual(y.patients.find((p) => p.psnNo === 'A'), { psnNo: 'A', months: 11, amount: '330.00' });
    // 11 months × (30 + 70) for A and B, plus 6 × 100 for C.
    assert.equal(y.amount, '1700.00');
    assert.equal(y.hypertensionAmount, String((11 + 6) * 30) + '.00');
    assert.equal(y.diabetesAmount, String((11 + 6) * 70) + '.00');
    assert.equal(y.headMonths, 11 * 2 + 6);
  });
});

test('refusals: a region without capitation rates, a month not yet over, a malformed month', () => {
  withDb((db) => {
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'none';
      } catch (e) {
        return (e as InputError).code;
      }
    };
    assert.equal(code(() => capitationStatement(db, { institution: H, month: '2025-03', policy: 'ezhou', today: '2026-01-05' })), 'NO_CAPITATION');
    assert.equal(code(() => capitationStatement(db, { institution: H, month: '2026-01', policy: 'chongqing', today: '2026-01-05' })), 'MONTH_NOT_OVER');
    assert.equal(code(() => capitationStatement(db, { institution: H, month: '2025-13', policy: 'chongqing', today: '2026-01-05' })), 'INVALID_MONTH');
  });
});
