// Supervision on a real database: migration 50, dispensing history, overrides as audit records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { importDispensingHistory, overrideBlock, recordDispensing, releaseDispensing, superviseSale, type SaleCheckInput } from '../../core/supervision/index.ts';
import { overridesBetween } from '../../core/store/supervision.ts';
import { InputError } from '../../core/contract/problems.ts';

const book = loadPolicyBook();

function withDb(fn: (db: DB) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-sup-'));
  const db = openDatabase(dir);
  try {
    fn(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const line = { id: 'L1', code: 'XC08CAA046A001010100483', genericName: '氨氯地平', drugGroup: '钙通道阻滞剂类', quantity: '1', packageSize: '28', dailyDose: '1' };
const saleOn = (date: string, over: Partial<typeof line> = {}): SaleCheckInput => ({ policy: 'ezhou', psnNo: 'P001', date, lines: [{ ...line, ...over }] });
const pharmacist = { id: 'op-ph', name: '李药师', role: 'pharmacist' };

test('migration 50 creates the dispensing and override tables with their guards', () => {
  withDb((db) => {
    assert.ok((db.pragma('user_version', { simple: true }) as number) >= 50);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
    assert.ok(tables.includes('dispensing'));
    assert.ok(tables.includes('supervision_override'));
    // A counter dispensing must name its settlement.
    assert.throws(() => db.prepare(`INSERT INTO dispensing (psn_no, dispensed_on, generic_name, days, source, recorded_at) VALUES ('P', '2025-01-01', 'g', 1, 'counter', 'now')`).run(), /CHECK/);
  });
});

test('a settled sale becomes history: the next sale of the same drug is checked against it', () => {
  withDb((db) => {
    assert.equal(superviseSale(db, book, saleOn('2025-01-01')).blocked, false);
    recordDispensing(db, { settlementId: 'S1', psnNo: 'P001', date: '2025-01-01', institution: 'H001', lines: [line] });
    recordDispensing(db, { settlementId: 'S1', psnNo: 'P001', date: '2025-01-01', institution: 'H001', lines: [line] }); // idempotent
    const early = superviseSale(db, book, saleOn('2025-01-13'));
    assert.equal(early.blocked, true);
    assert.equal(early.lines[0]!.findings[0]!.daysLeft, 16);
    assert.equal(superviseSale(db, book, saleOn('2025-01-14')).blocked, false, 'exactly 15 days left');
    // Another patient is unaffected.
    assert.equal(superviseSale(db, book, { ...saleOn('2025-01-13'), psnNo: 'P002' }).blocked, false);
  });
});

test('history imported from elsewhere blocks too, and importing twice stores it once', () => {
  withDb((db) => {
    const entries = [{ psnNo: 'P001', date: '2025-01-01', genericName: '硝苯地平', drugGroup: '钙通道阻滞剂类', days: 60, institution: 'H999' }];
    assert.deepEqual(importDispensingHistory(db, entries), { received: 1, inserted: 1 });
    assert.deepEqual(importDispensingHistory(db, entries), { received: 1, inserted: 0 });
    const r = superviseSale(db, book, saleOn('2025-02-01'));
    assert.equal(r.blocked, true);
    assert.equal(r.lines[0]!.findings[0]!.last?.source, 'import');
  });
});

test('an authorised override with a written reason is recorded, unblocks the sale and is reported', () => {
  withDb((db) => {
    recordDispensing(db, { settlementId: 'S1', psnNo: 'P001', date: '2025-01-01', institution: null, lines: [line] });
    const sale = saleOn('2025-01-05');
    assert.equal(superviseSale(db, book, sale).blocked, true);
    const ov = overrideBlock(db, book, { sale, lineId: 'L1', rule: 'EARLY_REFILL', reason: '患者外出务工两个月，需提前配药', operator: pharmacist }, new Date('2025-01-05T09:00:00Z'));
    assert.equal(ov.operatorRole, 'pharmacist');
    assert.equal(ov.finding.daysLeft, 24);
    const after = superviseSale(db, book, sale);
    assert.equal(after.blocked, false);
    assert.equal(after.lines[0]!.findings[0]!.overrideId, ov.id);
    // Settling links the override to the sale; the audit record then cannot change.
    recordDispensing(db, { settlementId: 'S2', psnNo: 'P001', date: '2025-01-05', institution: null, lines: [line], overrideIds: [ov.id] });
    const [stored] = overridesBetween(db, '2025-01-01', '2025-01-31');
    assert.equal(stored?.settlementId, 'S2');
    assert.equal(stored?.reason, '患者外出务工两个月，需提前配药');
    assert.throws(() => db.prepare(`UPDATE supervision_override SET reason = 'x' WHERE id = ?`).run(ov.id), /audit record/);
    assert.throws(() => db.prepare(`DELETE FROM supervision_override WHERE id = ?`).run(ov.id), /never deleted/);
    // Used by S2, it no longer unblocks a third sale the same day.
    assert.equal(superviseSale(db, book, sale).blocked, true);
  });
});

test('overrides are refused for a clerk, without a reason, for a finding that does not exist, or twice', () => {
  withDb((db) => {
    recordDispensing(db, { settlementId: 'S1', psnNo: 'P001', date: '2025-01-01', institution: null, lines: [line] });
    const sale = saleOn('2025-01-05');
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof InputError);
        return e.code;
      }
      return 'no error';
    };
    assert.equal(code(() => overrideBlock(db, book, { sale, lineId: 'L1', rule: 'EARLY_REFILL', reason: '患者要求提前配药', operator: { id: 'c1', name: '收银员', role: 'clerk' } })), 'NOT_AUTHORISED');
    assert.equal(code(() => overrideBlock(db, book, { sale, lineId: 'L1', rule: 'EARLY_REFILL', reason: ' 无 ', operator: pharmacist })), 'INVALID_REQUEST');
    assert.equal(code(() => overrideBlock(db, book, { sale, lineId: 'L1', rule: 'MAX_SUPPLY', reason: '患者要求提前配药', operator: pharmacist })), 'NOTHING_TO_OVERRIDE');
    assert.equal(code(() => overrideBlock(db, book, { sale, lineId: 'L9', rule: 'EARLY_REFILL', reason: '患者要求提前配药', operator: pharmacist })), 'UNKNOWN_LINE');
    overrideBlock(db, book, { sale, lineId: 'L1', rule: 'EARLY_REFILL', reason: '患者要求提前配药', operator: pharmacist });
    assert.equal(code(() => overrideBlock(db, book, { sale, lineId: 'L1', rule: 'EARLY_REFILL', reason: '患者要求提前配药', operator: pharmacist })), 'ALREADY_OVERRIDDEN');
    assert.equal(overridesBetween(db, '2025-01-01', '2025-12-31').length, 1);
  });
});

test('a registered operator\'s role comes from the operators table, not from the caller', () => {
  withDb((db) => {
    const hasOperators = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'operators'`).get();
    if (!hasOperators) return; // migration 70 not in this build
    db.prepare(`INSERT INTO operators (id, name, role, pin_salt, pin_hash, active, created_at) VALUES ('c1', '王收银', 'clerk', 's', 'h', 1, 'now')`).run();
    recordDispensing(db, { settlementId: 'S1', psnNo: 'P001', date: '2025-01-01', institution: null, lines: [line] });
    assert.throws(
      () => overrideBlock(db, book, { sale: saleOn('2025-01-05'), lineId: 'L1', rule: 'EARLY_REFILL', reason: '患者要求提前配药', operator: { id: 'c1', name: '王收银', role: 'pharmacist' } }),
      (e: InputError) => e.code === 'NOT_AUTHORISED',
    );
  });
});

test('a returned sale gives its supply back: the refill is no longer early', () => {
  withDb((db) => {
    recordDispensing(db, { settlementId: 'S1', psnNo: 'P001', date: '2025-01-01', institution: null, lines: [line, { ...line, id: 'L2', code: 'XMETF', genericName: '二甲双胍', drugGroup: '双胍类' }] });
    assert.equal(superviseSale(db, book, saleOn('2025-01-05')).blocked, true);
    assert.equal(releaseDispensing(db, 'S1', ['L1']), 1); // the amlodipine line came back
    assert.equal(superviseSale(db, book, saleOn('2025-01-05')).blocked, false);
    assert.equal(superviseSale(db, book, saleOn('2025-01-05', { code: 'XMETF', genericName: '二甲双胍', drugGroup: '双胍类' })).blocked, true, 'metformin was kept');
    assert.equal(releaseDispensing(db, 'S1'), 1);
    assert.equal(superviseSale(db, book, saleOn('2025-01-05', { code: 'XMETF', genericName: '二甲双胍', drugGroup: '双胍类' })).blocked, false);
  });
});
