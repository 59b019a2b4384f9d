// The CLI over a real data directory: report, capitation, filing and supervision commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../core/store/db.ts';
import { addPatient } from '../helpers/store-fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function site(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-dcli-'));
  const db = openDatabase(dir);
  const s = db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 'now')`);
  for (const [k, v] of Object.entries({ 'institution.code': 'H50010100001', 'institution.name': '某镇卫生院', 'institution.type': 'clinic', 'institution.level': '1', 'institution.policy': 'chongqing' })) s.run(k, v);
  addPatient(db, { psn_no: 'C1', conditions: 'both', payment_mode: 'capitation', capitation_institution: 'H50010100001', capitation_start_month: '2025-02' });
  db.close();
  return dir;
}

test('report: list, csv to stdout, xlsx to a file, refusals exit 2', () => {
  const dir = site();
  try {
    assert.match(cli(['report', '--list']).stdout, /monthly-residents/);
    const csv = cli(['report', 'monthly-residents', '--month', '2025-03', '--format', 'csv', '--data', dir]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /合计,1,0,0\.00/); // C1 is on the roster (both), nothing settled
    const out = join(dir, 'r.xlsx');
    assert.equal(cli(['report', 'statistics', '--month', '2025-03', '--format', 'xlsx', '--out', out, '--data', dir]).code, 0);
    assert.equal(readFileSync(out).subarray(0, 2).toString('latin1'), 'PK');
    assert.equal(cli(['report', 'statistics', '--month', '2025-03', '--format', 'xlsx', '--data', dir]).code, 2, 'binary needs --out');
    const badMonth = cli(['report', 'statistics', '--month', '2025-13', '--data', dir]);
    assert.equal(badMonth.code, 2);
    assert.equal(JSON.parse(badMonth.stderr).error.code, 'INVALID_MONTH');
    assert.equal(cli(['report', 'nope', '--month', '2025-03', '--data', dir]).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('capitation: the month is made once and then returned as stored; the year sums it', () => {
  const dir = site();
  try {
    const first = JSON.parse(cli(['capitation', '--month', '2025-03', '--data', dir]).stdout);
    assert.equal(first.reused, false);
    assert.equal(first.statement.amount, '100.00');
    const again = JSON.parse(cli(['capitation', '--month', '2025-03', '--data', dir]).stdout);
    assert.equal(again.reused, true);
    assert.equal(again.statement.id, first.statement.id);
    const year = JSON.parse(cli(['capitation', '--year', '2025', '--data', dir]).stdout);
    assert.equal(year.amount, '100.00');
    assert.ok(year.missingMonths.includes('2025-02'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('filing submit masks the person, queue shows the pending upload, form writes the 审定表', () => {
  const dir = site();
  try {
    const req = { kind: 'new', psnNo: 'N1', date: '2025-03-01', doctor: { name: '王医生' }, conditions: ['hypertension'], managementClass: 1, person: { name: '张三丰', certno: '11010519491231002X', insurance: 'resident' } };
    const r = cli(['filing', 'submit', '--data', dir], JSON.stringify(req));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.patient.certno, '1101**********002X');
    assert.ok(!r.stdout.includes('11010519491231002X'));
    assert.equal(JSON.parse(cli(['filing', 'queue', '--data', dir]).stdout).counts.pending, 1);
    const form = join(dir, 'form.html');
    assert.equal(cli(['filing', 'form', out.filing.id, '--out', form, '--data', dir]).code, 0);
    assert.ok(existsSync(form));
    assert.match(readFileSync(form, 'utf8'), /重庆市参保人员“两病”门诊用药保障审定表/);
    const again = cli(['filing', 'submit', '--data', dir], JSON.stringify(req));
    assert.equal(again.code, 2);
    assert.equal(JSON.parse(again.stderr).error.code, 'ALREADY_FILED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('filing settings: 公立 and the code set, validated', () => {
  const dir = site();
  try {
    assert.deepEqual(JSON.parse(cli(['filing', 'settings', '--data', dir]).stdout), { public: null, codes: 'national' });
    assert.deepEqual(JSON.parse(cli(['filing', 'settings', '--public', 'yes', '--codes', 'local', '--data', dir]).stdout), { public: 'yes', codes: 'local' });
    assert.equal(cli(['filing', 'settings', '--public', 'maybe', '--data', dir]).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('supervision check blocks 85 days in Chongqing and an override with a reason unblocks it', () => {
  const dir = site();
  try {
    const sale = { psnNo: 'C1', date: '2025-03-02', lines: [{ id: 'a', code: 'X1', genericName: '氨氯地平', quantity: '85', quantityUnit: 'unit', packageSize: '28', dailyDose: '1' }] };
    const r = JSON.parse(cli(['supervision', 'check', '--data', dir], JSON.stringify(sale)).stdout);
    assert.equal(r.blocked, true);
    assert.equal(r.lines[0].findings[0].rule, 'MAX_SUPPLY');
    const ov = cli(['supervision', 'override', '--data', dir], JSON.stringify({ sale, lineId: 'a', rule: 'MAX_SUPPLY', reason: '春节返乡期间需多备药', operator: { id: 'ph1', name: '李药师', role: 'pharmacist' } }));
    assert.equal(ov.code, 0, ov.stderr);
    assert.equal(JSON.parse(cli(['supervision', 'check', '--data', dir], JSON.stringify(sale)).stdout).blocked, false);
    const rep = JSON.parse(cli(['report', 'overrides', '--month', '2025-03', '--data', dir]).stdout);
    assert.equal(rep.tables[0].rows[0].reason, '春节返乡期间需多备药');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report without --data and no default data says so (exit 2, nothing created) instead of printing an empty report', () => {
  const home = mkdtempSync(join(tmpdir(), 'lbc-nodata-'));
  try {
    const env = { ...process.env, XDG_CONFIG_HOME: home, HOME: home, LBC_DATA_DIR: '' };
    delete (env as Record<string, string | undefined>).LBC_DATA_DIR;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'report', 'monthly-residents', '--month', '2025-03'], { cwd: ROOT, encoding: 'utf8', env });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no counter data in the default data directory .*no --data given/);
    assert.equal(r.stdout, '', 'no empty report on stdout');
    assert.equal(existsSync(join(home, 'liangbing-counter', 'counter.sqlite')), false, 'no database created');
    // The same for a --data folder that holds no counter data.
    const empty = cli(['report', 'monthly-residents', '--month', '2025-03', '--data', join(home, 'elsewhere')]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no counter data in --data/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
