// The year's ledger: the bureau figure for the year + this institution's entries it does not have,
// per pool, reset on 1 January; reversals are negative entries; one entry per settlement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { recordLedgerUsage, recordPoolReport, usageBreakdown, usedThisYear, TWO_DISEASE_POOL } from '../../core/store/ledger.ts';
import { getInstitution, requireInstitution, setInstitution } from '../../core/store/settings.ts';

const open = () => openDatabase(mkdtempSync(join(tmpdir(), 'lbc-data-ledger-')));

test('seed 000 §二.(二).3 (the cap is the calendar year\'s): the bureau figure counts all year from its import; entries not uploaded are added whatever their date', () => {
  const db = open();
  recordPoolReport(db, 'P1', TWO_DISEASE_POOL, '100.00', '2024-06-30');
  recordLedgerUsage(db, { psnNo: 'P1', date: '2024-06-30', amount: '7.00', settlementId: 'S0' });
  recordLedgerUsage(db, { psnNo: 'P1', date: '2024-07-01', amount: '12.34', settlementId: 'S1' });
  recordLedgerUsage(db, { psnNo: 'P1', date: '2024-07-15', amount: '0.66', settlementId: 'S2' });
  // None of them reached the platform, so none is in the bureau's figure.
  assert.equal(usedThisYear(db, 'P1', '2024-07-20'), '120.00');
  assert.equal(usedThisYear(db, 'P1', '2024-07-01'), '120.00', 'a back-dated sale sees the later entries of its year');
  assert.equal(usedThisYear(db, 'P1', '2024-06-29'), '120.00', 'the figure counts before its as-of date too');
  assert.equal(usedThisYear(db, 'P1', '2024-01-01'), '120.00');
  const b = usageBreakdown(db, 'P1', '2024-02-20');
  assert.deepEqual(b.reported, { amount: '100.00', asOf: '2024-06-30' });
  assert.equal(b.local, '20.00');
});

test('seed 000 §二.(二).3 (年度): the year boundary: 31 December counts the year, 1 January starts from zero', () => {
  const db = open();
  recordPoolReport(db, 'P2', TWO_DISEASE_POOL, '650.00', '2024-12-01');
  recordLedgerUsage(db, { psnNo: 'P2', date: '2024-12-31', amount: '50.00', settlementId: 'S-dec31' });
  recordLedgerUsage(db, { psnNo: 'P2', date: '2025-01-01', amount: '8.80', settlementId: 'S-jan1' });
  assert.equal(usedThisYear(db, 'P2', '2024-12-31'), '700.00');
  assert.equal(usedThisYear(db, 'P2', '2025-01-01'), '8.80', 'last year\'s report and entries do not count');
  assert.equal(usageBreakdown(db, 'P2', '2025-01-01').reported, null);
  assert.equal(usedThisYear(db, 'P2', '2025-03-01'), '8.80');
});

test('a reversal is a negative entry; pools are separate; a settlement cannot count twice', () => {
  const db = open();
  recordLedgerUsage(db, { psnNo: 'P3', date: '2024-05-01', amount: '30.00', settlementId: 'S1' });
  recordLedgerUsage(db, { psnNo: 'P3', date: '2024-05-02', amount: '-30.00', settlementId: 'S1-reversal' });
  recordLedgerUsage(db, { psnNo: 'P3', date: '2024-05-03', amount: '5.55', settlementId: 'S2' });
  recordLedgerUsage(db, { psnNo: 'P3', date: '2024-05-03', pool: 'general-outpatient', amount: '99.00', settlementId: 'S2' });
  assert.equal(usedThisYear(db, 'P3', '2024-05-03'), '5.55');
  assert.equal(usedThisYear(db, 'P3', '2024-05-03', 'general-outpatient'), '99.00');
  assert.throws(() => recordLedgerUsage(db, { psnNo: 'P3', date: '2024-05-03', amount: '5.55', settlementId: 'S2' }), /UNIQUE/);
  assert.throws(() => recordLedgerUsage(db, { psnNo: 'P3', date: '2024-05-03', amount: '1.234', settlementId: 'S9' }), /amount/);
  assert.throws(() => recordLedgerUsage(db, { psnNo: 'P3', date: '2024-02-30', amount: '1', settlementId: 'S9' }), /date/);
  // Inside the caller's transaction: rolled back with it.
  assert.throws(() =>
    db.transaction(() => {
      recordLedgerUsage(db, { psnNo: 'P3', date: '2024-05-04', amount: '1.00', settlementId: 'S3' });
      throw new Error('settlement failed');
    })(),
  );
  assert.equal(usedThisYear(db, 'P3', '2024-05-04'), '5.55');
});

test('settings: the institution is set field by field, validated, and required before use', () => {
  const db = open();
  assert.equal(getInstitution(db), null);
  assert.throws(() => requireInstitution(db), (e: Error & { code?: string }) => e.code === 'SETTINGS_MISSING');
  setInstitution(db, { code: 'H53090200001', name: '临翔区某村卫生室', type: 'clinic' });
  assert.equal(getInstitution(db), null, 'still incomplete');
  setInstitution(db, { level: '1', policy: 'lincang', region: '530902' });
  const inst = requireInstitution(db);
  assert.deepEqual([inst.type, inst.level, inst.region, inst.platformEndpoint], ['clinic', 1, '530902', null]);
  assert.throws(() => setInstitution(db, { region: '5309', type: 'hospital' }), (e: Error & { problems?: { path: string }[] }) =>
    JSON.stringify(e.problems?.map((p) => p.path)) === JSON.stringify(['region', 'type']),
  );
  assert.equal(requireInstitution(db).region, '530902', 'a bad set writes nothing');
  assert.throws(() => setInstitution(db, { colour: 'red' } as Record<string, unknown>), /unknown setting/);
  setInstitution(db, { platformEndpoint: 'http://127.0.0.1:9000/', annualCap: '500' });
  assert.equal(requireInstitution(db).annualCap, '500');
});
