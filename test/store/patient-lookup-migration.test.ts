// Migration 81 on a real SQLite file: the lookup indexes carry (key, active, updated_at), so the
// record a lookup returns is chosen by one index seek whatever the number of records per key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { findPatient } from '../../core/store/roster.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'lbc-lookup-mig-'));

function seed(db: ReturnType<typeof openDatabase>): void {
  const ins = db.prepare(`INSERT INTO patients (psn_no, certno, card_no, ec_token, name, insutype, conditions, status, content_hash, updated_at)
    VALUES (?, ?, ?, ?, ?, '390', 'both', ?, 'h', ?)`);
  // One ID number on file five times: two stopped (one the newest of all), three active.
  ins.run('P1', '53010119800101001X', 'C1', 'E1', '旧一', 'stopped', '2024-09-01T00:00:00Z');
  ins.run('P2', '53010119800101001X', 'C1', 'E1', '在用旧', 'active', '2024-01-01T00:00:00Z');
  ins.run('P3', '53010119800101001X', 'C1', 'E1', '在用新', 'active', '2024-06-01T00:00:00Z');
  ins.run('P4', '53010119800101001X', 'C1', 'E1', '在用中', 'active', '2024-03-01T00:00:00Z');
  ins.run('P5', '53010119800101001X', 'C1', 'E1', '旧二', 'stopped', '2023-01-01T00:00:00Z');
  // Only stopped records: the most recent stopped one.
  ins.run('P6', '530101199001010022', 'C2', 'E2', '停一', 'stopped', '2024-02-01T00:00:00Z');
  ins.run('P7', '530101199001010022', 'C2', 'E2', '停二', 'stopped', '2024-05-01T00:00:00Z');
}

const picks = (db: ReturnType<typeof openDatabase>) => [
  findPatient(db, { certno: '53010119800101001x' })?.psn_no,
  findPatient(db, { cardNo: 'C1' })?.psn_no,
  findPatient(db, { ecToken: 'E1' })?.psn_no,
  findPatient(db, { certno: '530101199001010022' })?.psn_no,
  findPatient(db, { cardNo: 'C2' })?.psn_no,
  findPatient(db, { ecToken: 'E2' })?.psn_no,
  findPatient(db, { certno: '530101199901010033' })?.psn_no ?? null,
];

test('migration 81: the same record is picked before and after (active first, then most recent), now by one index seek', () => {
  const path = dir();
  const before = openDatabase(path, { targetVersion: 70 });
  seed(before);
  const expected = ['P3', 'P3', 'P3', 'P7', 'P7', 'P7', null];
  assert.deepEqual(picks(before), expected, 'the answers today, on the old indexes');
  before.close();

  const db = openDatabase(path);
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 81);
  assert.deepEqual(picks(db), expected, 'the same answers on the new indexes');
  for (const [key, index] of [['certno', 'patients_certno'], ['card_no', 'patients_card_no'], ['ec_token', 'patients_ec_token']] as const) {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT psn_no FROM patients p WHERE p.${key} = ? ORDER BY p.status = 'active' DESC, p.updated_at DESC LIMIT 1`)
      .all('x') as { detail: string }[]).map((r) => r.detail).join('; ');
    assert.match(plan, new RegExp(`USING INDEX ${index}`), plan);
    assert.doesNotMatch(plan, /TEMP B-TREE/, `no sort of all the records of a key: ${plan}`);
  }
  // A change of status moves the record in the index: stopping P3 makes P4 (next most recent active) the pick.
  db.prepare(`UPDATE patients SET status = 'stopped', updated_at = '2024-10-01T00:00:00Z' WHERE psn_no = 'P3'`).run();
  assert.equal(findPatient(db, { certno: '53010119800101001X' })?.psn_no, 'P4');
  db.close();
});
