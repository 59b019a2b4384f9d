// The counter's patient lookup on a real SQLite file: an ID number is found with its 人员编号 probe
// in one statement (the 人员编号 still wins when one matches), the bureau's pool figure comes with
// the record (only the local entries are summed), and the institution is read once per connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { lookupPatient } from '../../core/patient/index.ts';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { setInstitution } from '../../core/store/settings.ts';
import { recordLedgerUsage, recordPoolReport, usageBreakdown } from '../../core/store/ledger.ts';
import { syntheticCertno } from '../../core/import/synthetic.ts';

const book = loadPolicyBook(undefined);
const A = syntheticCertno('530902', '1960-05-01', 11);
const B = syntheticCertno('530902', '1961-06-02', 12);

function roster(): DB {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-lookup-')));
  setInstitution(db, { code: 'H53090200001', name: '临翔区某卫生院', type: 'clinic', level: 1, policy: 'lincang', region: '530902' });
  const ins = db.prepare(`INSERT INTO patients (psn_no, certno, name, insutype, conditions, status, flagged_date, content_hash, updated_at) VALUES (?, ?, ?, '390', 'both', ?, '2024-01-01', '', ?)`);
  ins.run('P-A-OLD', A, '甲旧', 'stopped', '2024-06-01T00:00:00Z');
  ins.run('P-A', A, '甲', 'active', '2024-02-01T00:00:00Z');
  // A 人员编号 that is itself B's ID number (some regions number people by ID): the 人员编号 wins.
  ins.run(B, null, '乙号', 'active', '2024-01-01T00:00:00Z');
  ins.run('P-B', B, '乙', 'active', '2024-03-01T00:00:00Z');
  return db;
}

/** Statements run (their SQL) while fn runs. */
function statements(db: DB, fn: () => void): string[] {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  const seen: string[] = [];
  const saved = ['get', 'all', 'run', 'iterate'].map((m) => [m, proto[m]!] as const);
  for (const [m, f] of saved) proto[m] = function (this: { source: string }, ...a: unknown[]) { seen.push(this.source); return f.apply(this, a); };
  try {
    fn();
  } finally {
    for (const [m, f] of saved) proto[m] = f;
  }
  return seen;
}

test('an ID number finds the active record, the 人员编号 probe in the same statement; a matching 人员编号 still wins', () => {
  const db = roster();
  const a = lookupPatient(db, book, A.toLowerCase(), '2024-08-01');
  assert.equal(a.patient.psnNo, 'P-A');
  assert.equal(a.input.kind, 'id-card');
  const b = lookupPatient(db, book, B, '2024-08-01');
  assert.equal(b.patient.psnNo, B);
  assert.equal(b.input.kind, 'psn-no');
  assert.equal(lookupPatient(db, book, 'P-B', '2024-08-01').patient.psnNo, 'P-B');
  assert.throws(() => lookupPatient(db, book, syntheticCertno('530902', '1970-01-01', 1), '2024-08-01'), (e: Error & { code?: string }) => e.code === 'PATIENT_NOT_FOUND');
});

test('a lookup by ID number runs three statements: the settings version check, the record with its pool figure, the local sum', () => {
  const db = roster();
  lookupPatient(db, book, A, '2024-08-01'); // the institution is read once
  const sql = statements(db, () => lookupPatient(db, book, A, '2024-08-01'));
  assert.equal(sql.length, 3, sql.join('\n'));
  assert.ok(!sql.some((s) => /FROM settings/.test(s)), 'no settings read per lookup');
  assert.equal(sql.filter((s) => /FROM pool_reports/.test(s) && !/JOIN pool_reports/.test(s)).length, 0, 'the pool figure is not read twice');
  // A settings write makes the next lookup read the institution again, once.
  setInstitution(db, { name: '临翔区另一卫生院' });
  assert.equal(statements(db, () => lookupPatient(db, book, A, '2024-08-01')).filter((s) => /FROM settings/.test(s)).length, 1);
});

test('the cap used from the record and its pool figure equals the ledger read on its own (report this year, last year, after the date)', () => {
  const db = roster();
  recordLedgerUsage(db, { psnNo: 'P-A', date: '2024-07-10', amount: '12.34', settlementId: 's1' });
  recordLedgerUsage(db, { psnNo: 'P-A', date: '2024-03-10', amount: '5.00', settlementId: 's2' });
  for (const [amount, asOf] of [[null, null], ['100.05', '2024-05-31'], ['88.00', '2023-12-31'], ['70.10', '2024-09-30']] as const) {
    if (amount !== null) recordPoolReport(db, 'P-A', 'two-disease', amount, asOf!);
    for (const date of ['2024-05-31', '2024-08-01', '2024-12-31']) {
      const got = lookupPatient(db, book, A, date).cap;
      const want = usageBreakdown(db, 'P-A', date);
      assert.deepEqual({ used: got.used, reported: got.reported, local: got.local }, { used: want.used, reported: want.reported, local: want.local }, `${amount} as of ${asOf} on ${date}`);
    }
  }
});
