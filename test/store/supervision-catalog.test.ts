// Supervision from code, quantity and dose: the catalog supplies generic name, ingredient class
// and package size (from the package size or the specification).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { packageSizeOf, recordCounterDispensing, superviseCounterSale } from '../../core/supervision/catalog.ts';
import { InputError } from '../../core/contract/problems.ts';
import { withDb } from '../helpers/store-fixtures.ts';

const book = loadPolicyBook();

test('package size from the catalog or the specification', () => {
  assert.equal(packageSizeOf('28', null), '28');
  assert.equal(packageSizeOf(null, '30片/盒'), '30');
  assert.equal(packageSizeOf(null, '0.5g×30片/盒'), '30');
  assert.equal(packageSizeOf(null, '5mg*28片'), '28');
  assert.equal(packageSizeOf(null, '7粒×4板/盒'), '28');
  assert.equal(packageSizeOf(null, '300单位/支'), null);
  assert.equal(packageSizeOf(null, null), null);
});

test('a counter sale is checked from code, quantity and dose; the catalog class links two drugs (seed 003 附件3 注意2)', () => {
  withDb((db) => {
    const put = db.prepare(`INSERT INTO catalog (code, generic_name, drug_group, spec, package_size, content_hash, updated_at) VALUES (?, ?, ?, ?, ?, 'test', 'now')`);
    put.run('XAMLO', '氨氯地平', '钙通道阻滞剂类', '5mg*28片', null);
    put.run('XNIFE', '硝苯地平', '钙通道阻滞剂类', '30mg×7片×4板/盒', null);
    put.run('XINS', '甘精胰岛素', '胰岛素类', '300单位/支', null);
    // 4 boxes of 28 at 1 a day = 112 days: over Ezhou's 90 (seed 003 §二.(一).4).
    const over = superviseCounterSale(db, book, { policy: 'ezhou', psnNo: 'P1', date: '2025-03-01', lines: [{ id: 'a', code: 'XAMLO', quantity: '4', dailyDose: '1' }] });
    assert.equal(over.lines[0]!.days, 112);
    assert.equal(over.lines[0]!.findings[0]!.rule, 'MAX_SUPPLY');
    assert.equal(over.lines[0]!.findings[0]!.maxQuantity, '3');
    recordCounterDispensing(db, { settlementId: 'S1', psnNo: 'P1', date: '2025-03-01', institution: 'H1', lines: [{ id: 'a', code: 'XAMLO', quantity: '2', dailyDose: '1' }] });
    // Nifedipine is the same class: 56 days from 1 March leave 46 on 11 March.
    const early = superviseCounterSale(db, book, { policy: 'ezhou', psnNo: 'P1', date: '2025-03-11', lines: [{ id: 'b', code: 'XNIFE', quantity: '1', dailyDose: '1' }] });
    assert.equal(early.lines[0]!.days, 28);
    assert.equal(early.lines[0]!.findings[0]!.rule, 'EARLY_REFILL');
    assert.equal(early.lines[0]!.findings[0]!.daysLeft, 46);
    assert.equal(early.lines[0]!.findings[0]!.allowedFrom, '2025-04-11');
    // Unknown code, and a pen without a package size and no days: each named.
    assert.throws(
      () => superviseCounterSale(db, book, { policy: 'ezhou', psnNo: 'P1', date: '2025-03-11', lines: [{ id: 'x', code: 'NOPE', quantity: '1', dailyDose: '1' }, { id: 'y', code: 'XINS', quantity: '1', dailyDose: '20' }] }),
      (e: InputError) => e.problems.map((p) => `${p.path}:${p.code}`).join(',') === 'lines.0.code:UNKNOWN_DRUG,lines.1.packageSize:PACKAGE_SIZE_UNKNOWN',
    );
    // Given the days instead, the pen is checked.
    const pen = superviseCounterSale(db, book, { policy: 'ezhou', psnNo: 'P1', date: '2025-03-11', lines: [{ id: 'y', code: 'XINS', quantity: '1', days: 15 }] });
    assert.equal(pen.blocked, false);
  });
});
