// Migration 95 on a real SQLite file: a database from before it gains the sign-in table, the
// terminal row and outbox_message.inf_refmsgid, keeping its messages; the sign-in helpers work on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/store/db.ts';
import { currentSignIn, getTerminal, invalidateSignIn, markSignedOut, openSignIns, recordSignIn, setTerminal } from '../../core/store/outbox.ts';
import { tempDir } from '../helpers/settlement.ts';

test('migration 95 adds platform_sign_in, terminal and outbox_message.inf_refmsgid to an existing database', () => {
  const dir = tempDir('lbc-session-mig-');
  const old = openDatabase(dir, { targetVersion: 94 });
  assert.ok((old.pragma('user_version', { simple: true }) as number) < 95);
  assert.equal((old.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'platform_sign_in'`).get() as { n: number }).n, 0);
  old.close();
  const db = openDatabase(dir);
  try {
    assert.ok((db.pragma('user_version', { simple: true }) as number) >= 95);
    const cols = (db.prepare(`PRAGMA table_info(outbox_message)`).all() as { name: string }[]).map((c) => c.name);
    assert.ok(cols.includes('inf_refmsgid'));
    assert.equal(getTerminal(db), null);
    setTerminal(db, { terminalNo: 3, devNo: 'COUNTER-3' });
    assert.deepEqual(getTerminal(db), { terminalNo: 3, devNo: 'COUNTER-3' });
    assert.throws(() => setTerminal(db, { terminalNo: 10, devNo: 'X' }), /CHECK/);
    recordSignIn(db, { operator_id: 'op01', sign_date: '2024-08-01', fixmedins_code: 'P53090100001', sign_no: 'SN1', sign_time: '2024-08-01 08:00:00', msgid: 'P53090100001202408010800000001', signed_in_at: '2024-08-01T00:00:00Z' });
    assert.equal(currentSignIn(db, 'op01', 'P53090100001', '2024-08-01')?.sign_no, 'SN1');
    assert.equal(currentSignIn(db, 'op01', 'P53090100001', '2024-08-02'), undefined, 'a sign-in is for its day only');
    invalidateSignIn(db, 'SN1', '2024-08-01T01:00:00Z');
    assert.equal(currentSignIn(db, 'op01', 'P53090100001', '2024-08-01'), undefined, 'a refused sign_no is not used again');
    assert.equal(openSignIns(db).length, 0);
    recordSignIn(db, { operator_id: 'op01', sign_date: '2024-08-01', fixmedins_code: 'P53090100001', sign_no: 'SN2', sign_time: '2024-08-01 09:00:00', msgid: 'P53090100001202408010900000001', signed_in_at: '2024-08-01T01:00:00Z' });
    assert.equal(openSignIns(db, 'op01').length, 1);
    markSignedOut(db, 'SN2', '2024-08-01T10:00:00Z');
    assert.equal(openSignIns(db, 'op01').length, 0);
  } finally {
    db.close();
  }
});
