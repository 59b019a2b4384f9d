// Migration 107 on a real SQLite file: a database from before it gains staff_code and
// identity_difference; the staff codes are set, replaced and read back; the length checks hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/store/db.ts';
import { getStaffCode, identityDifferencesOf, insertIdentityDifferences, setStaffCode } from '../../core/store/staff.ts';
import { tempDir } from '../helpers/settlement.ts';

test('migration 107 adds staff_code and identity_difference to an existing database', () => {
  const dir = tempDir('lbc-staff-mig-');
  const old = openDatabase(dir, { targetVersion: 106 });
  assert.equal((old.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('staff_code', 'identity_difference')`).get() as { n: number }).n, 0);
  old.close();
  const db = openDatabase(dir);
  try {
    assert.ok((db.pragma('user_version', { simple: true }) as number) >= 107);
    assert.equal(getStaffCode(db, 'op01'), null);
    setStaffCode(db, { operatorId: 'op01', drCode: 'D530900000001', drName: '王医生', deptCode: 'A03', deptName: '全科', caty: 'A03', updatedAt: '2024-08-01T00:00:00Z' });
    setStaffCode(db, { operatorId: 'op01', drCode: 'D530900000002', drName: null, deptCode: 'A04', deptName: '内科', caty: null, updatedAt: '2024-08-02T00:00:00Z' });
    assert.deepEqual(getStaffCode(db, 'op01'), { operatorId: 'op01', drCode: 'D530900000002', drName: null, deptCode: 'A04', deptName: '内科', caty: null, updatedAt: '2024-08-02T00:00:00Z' });
    assert.throws(() => setStaffCode(db, { operatorId: 'op02', drCode: 'X'.repeat(31), drName: null, deptCode: 'A03', deptName: '全科', caty: null, updatedAt: 'x' }), /CHECK/);
    insertIdentityDifferences(db, [{ checkedAt: 't', psnNo: 'P1', rosterKey: 'k', field: 'insutype', rosterValue: '390', platformValue: '310', messageZh: '险种不同' }]);
    assert.equal(identityDifferencesOf(db, 'P1').length, 1);
    assert.equal(identityDifferencesOf(db, 'P2').length, 0);
  } finally {
    db.close();
  }
});
