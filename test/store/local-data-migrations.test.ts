// Migrations 10–15 and 102–104 (local data) on real SQLite files: each one creates what the code relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'lbc-data-mig-'));
const tables = (db: ReturnType<typeof openDatabase>) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").all() as { name: string }[]).map((r) => r.name);
const indexes = (db: ReturnType<typeof openDatabase>, table: string) =>
  (db.prepare('SELECT name FROM sqlite_master WHERE type = ? AND tbl_name = ?').all('index', table) as { name: string }[]).map((r) => r.name);

test('migration 10 creates patients with a unique psn_no and indexes on certno, card_no and ec_token', () => {
  const db = openDatabase(dir(), { targetVersion: 10 });
  assert.equal(db.pragma('user_version', { simple: true }), 10);
  assert.ok(tables(db).includes('patients'));
  assert.ok(!tables(db).includes('catalog'), 'stops at the target version');
  for (const i of ['patients_certno', 'patients_card_no', 'patients_ec_token']) assert.ok(indexes(db, 'patients').includes(i), i);
  const ins = db.prepare("INSERT INTO patients (psn_no, name, insutype, conditions, content_hash, updated_at) VALUES (?, '张三', ?, ?, 'h', 'now')");
  ins.run('P1', '390', 'both');
  assert.throws(() => ins.run('P1', '390', 'both'), /UNIQUE|PRIMARY KEY/);
  assert.throws(() => ins.run('P2', '391', 'both'), /CHECK/, 'only 390/310');
  assert.throws(() => ins.run('P3', '390', 'asthma'), /CHECK/);
  const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM patients WHERE certno = '5301'").all() as { detail: string }[];
  assert.match(plan.map((p) => p.detail).join(' '), /patients_certno/);
  db.close();
});

test('migration 11 creates the catalog with its FTS5 index; 12 the region/county lists', () => {
  const db = openDatabase(dir(), { targetVersion: 12 });
  assert.ok(tables(db).includes('catalog'));
  assert.ok(tables(db).includes('catalog_fts'));
  assert.ok(tables(db).includes('catalog_lists'));
  db.prepare("INSERT INTO catalog (code, generic_name, content_hash, updated_at) VALUES ('XC08CAA001A001010101001', '氨氯地平', 'h', 'now')").run();
  db.prepare("INSERT INTO catalog_fts (rowid, names, pinyin) VALUES (1, '氨 氯 地 平', 'aldp anlvdiping')").run();
  assert.equal((db.prepare("SELECT count(*) AS n FROM catalog_fts WHERE catalog_fts MATCH 'pinyin : aldp*'").get() as { n: number }).n, 1);
  assert.equal((db.prepare(`SELECT count(*) AS n FROM catalog_fts WHERE catalog_fts MATCH 'names : "地 平"'`).get() as { n: number }).n, 1);
  assert.throws(() => db.prepare("INSERT INTO catalog (code, generic_name, drug_class, content_hash, updated_at) VALUES ('X2', 'a', '丙', 'h', 'now')").run(), /CHECK/);
  db.prepare("INSERT INTO catalog_lists (code, region) VALUES ('XC08CAA001A001010101001', '530900')").run();
  assert.throws(() => db.prepare("INSERT INTO catalog_lists (code, region) VALUES ('NOPE', '530900')").run(), /FOREIGN KEY/);
  assert.throws(() => db.prepare("INSERT INTO catalog_lists (code, region) VALUES ('XC08CAA001A001010101001', '5309')").run(), /CHECK/);
  db.close();
});

test('migrations 13–15: ledger entries (one per settlement and pool), pool reports, settings', () => {
  const path = dir();
  const db = openDatabase(path, { targetVersion: 12 });
  db.close();
  const db2 = openDatabase(path); // the rest applied on reopen
  assert.ok(['ledger_entries', 'pool_reports', 'settings'].every((t) => tables(db2).includes(t)));
  assert.ok((db2.pragma('user_version', { simple: true }) as number) >= 15);
  const ins = db2.prepare("INSERT INTO ledger_entries (psn_no, pool, service_date, amount_fen, settlement_id, recorded_at) VALUES ('P', 'two-disease', '2024-01-01', ?, 'S1', 'now')");
  ins.run(100);
  assert.throws(() => ins.run(200), /UNIQUE/);
  assert.throws(() => db2.prepare("INSERT INTO pool_reports (psn_no, pool, amount_fen, as_of) VALUES ('P', 'x', -1, '2024-01-01')").run(), /CHECK/);
  db2.close();
});

test('migration 102: the bureau figure per year, backfilled and kept in step with pool_reports by triggers', () => {
  const path = dir();
  const db = openDatabase(path, { targetVersion: 101 });
  db.prepare("INSERT INTO pool_reports (psn_no, pool, amount_fen, as_of) VALUES ('P', 'two-disease', 65000, '2024-12-01')").run();
  db.close();
  const db2 = openDatabase(path);
  const years = () => db2.prepare("SELECT year, amount_fen AS fen, as_of FROM pool_year_reports WHERE psn_no = 'P' ORDER BY year").all();
  assert.deepEqual(years(), [{ year: '2024', fen: 65000, as_of: '2024-12-01' }], 'backfilled from the existing figure');
  const put = db2.prepare(`INSERT INTO pool_reports (psn_no, pool, amount_fen, as_of) VALUES ('P', 'two-disease', ?, ?)
    ON CONFLICT (psn_no, pool) DO UPDATE SET amount_fen = excluded.amount_fen, as_of = excluded.as_of`);
  put.run(1200, '2025-02-28');
  put.run(1500, '2025-03-31');
  assert.deepEqual(years(), [
    { year: '2024', fen: 65000, as_of: '2024-12-01' },
    { year: '2025', fen: 1500, as_of: '2025-03-31' },
  ], 'a new year\'s push keeps last year\'s figure; a later push in a year replaces that year');
  db2.prepare("DELETE FROM pool_reports WHERE psn_no = 'P'").run();
  assert.deepEqual(years(), [{ year: '2024', fen: 65000, as_of: '2024-12-01' }], 'a withdrawn figure is withdrawn for its own year');
  assert.throws(() => db2.prepare("INSERT INTO pool_year_reports (psn_no, pool, year, amount_fen, as_of) VALUES ('Q', 'x', '2024', -1, '2024-01-01')").run(), /CHECK/);
  db2.close();
});

test('migrations 103 and 104: filing candidates one per ID number; cash sales unique per request and receipt, never edited or deleted', () => {
  const db = openDatabase(dir());
  assert.ok(tables(db).includes('filing_candidates') && tables(db).includes('cash_sales'));
  const cand = db.prepare("INSERT INTO filing_candidates (certno, name, conditions, first_seen, last_seen, operator_id) VALUES ('X1', '甲', ?, '2025-01-01', '2025-01-01', 'op')");
  cand.run('diabetes');
  assert.throws(() => cand.run('diabetes'), /UNIQUE|PRIMARY KEY/);
  assert.throws(() => db.prepare("INSERT INTO filing_candidates (certno, name, conditions, first_seen, last_seen, operator_id) VALUES ('X2', '乙', 'asthma', '2025-01-01', '2025-01-01', 'op')").run(), /CHECK/);
  const sale = db.prepare(`INSERT INTO cash_sales (id, request_id, kind, receipt_no, sale_date, created_at, operator_id, operator_name, patient_json, lines_json, total_fen)
    VALUES (?, ?, ?, ?, '2025-01-01', 'now', 'op', '甲', '{}', '[]', ?)`);
  sale.run('C1', 'R1', 'self-pay', 'Z2025010100001', 100);
  assert.throws(() => sale.run('C2', 'R1', 'self-pay', 'Z2025010100002', 100), /UNIQUE/);
  assert.throws(() => sale.run('C3', 'R3', 'credit', 'Z2025010100003', 100), /CHECK/);
  assert.throws(() => sale.run('C4', 'R4', 'self-pay', 'Z2025010100004', -1), /CHECK/);
  assert.throws(() => db.prepare("UPDATE cash_sales SET total_fen = 1").run(), /never edited/);
  db.close();
});
