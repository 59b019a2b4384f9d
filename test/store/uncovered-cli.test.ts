// The CLI for what the local rules do not cover, through the real command line on demo data, one
// test per path: cash self-pay / out-of-area (seed 001 §四: the 垫付 claim, or a journal settlement
// where the platform settles 异地 directly) with the receipt written owner-only, the candidates
// list (seed 000 §二.(一).1) exported masked, the filing offer (seed 000 §二.(一).2) and stock
// compliance (seed 000 §二.(三).6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticCertno } from '../../core/import/synthetic.ts';
import { openDatabase } from '../../core/store/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function cli(args: string[], input = '', env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', input, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout), errJson: () => JSON.parse(r.stderr) };
}

function demo(): string {
  const data = mkdtempSync(join(tmpdir(), 'lbc-uncovered-cli-'));
  const seeded = cli(['demo', 'seed', '--data', data]);
  assert.equal(seeded.code, 0, seeded.err);
  return data;
}
const certno = syntheticCertno('510104', '1955-03-03', 7);
const outOfArea = () => ({ requestId: crypto.randomUUID(), date: '2025-07-01', person: { name: '钱多多', certno, insuredRegion: '510104', insurance: 'resident', conditions: ['hypertension'] }, lines: [{ code: 'YP0001', quantity: '1' }] });

test('CLI cash out-of-area (seed 001 §四 异地非直接联网结算): the 垫付 claim receipt written owner-only; the claim facts required', () => {
  const data = demo();
  const out = join(data, 'claim.html');
  const sale = outOfArea();
  const claim = cli(['cash', 'out-of-area', '--data', data, '--out', out], JSON.stringify(sale));
  assert.equal(claim.code, 0, claim.err);
  assert.deepEqual([claim.json().kind, claim.json().total, claim.json().receiptNo, claim.json().settledBy], ['out-of-area', '5.29', 'Y2025070100001', 'counter']);
  const html = readFileSync(out, 'utf8');
  for (const must of ['异地就医费用垫付凭证', '钱多多', certno, '510104', '个人垫付', '5.29']) assert.ok(html.includes(must), must);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const bad = cli(['cash', 'out-of-area', '--data', data], JSON.stringify({ ...sale, requestId: crypto.randomUUID(), person: { name: '钱多多' } }));
  assert.equal(bad.code, 2);
  assert.ok(bad.errJson().error.problems.some((p: { path: string }) => p.path === 'person.certno'));
});

test('CLI cash out-of-area (seed 001 §四 异地直接联网结算): where the region\'s platform settles 异地 directly, the sale is a journal settlement queued for upload', () => {
  const data = demo();
  const bundled = JSON.parse(readFileSync(join(ROOT, 'resources/platform/provinces.json'), 'utf8')) as { regions: Record<string, Record<string, unknown>> };
  bundled.regions.lincang!.outOfAreaDirect = true;
  const cfg = join(data, 'provinces.json');
  writeFileSync(cfg, JSON.stringify(bundled));
  const sale = { ...outOfArea(), person: { ...outOfArea().person, psnNo: '51010400000000000077' } };
  const r = cli(['cash', 'out-of-area', '--data', data], JSON.stringify(sale), { LBC_PLATFORM_CONFIG: cfg });
  assert.equal(r.code, 0, r.err);
  const again = cli(['cash', 'out-of-area', '--data', data], JSON.stringify(sale), { LBC_PLATFORM_CONFIG: cfg });
  assert.equal(JSON.parse(again.out).id, r.json().id, 'the same request is the same settlement');

  assert.deepEqual([r.json().settledBy, r.json().kindZh, r.json().total], ['platform', '异地就医（医保平台直接结算）', '5.29']);
  assert.match(r.json().receiptNo, /^S/);
  const db = openDatabase(data);
  try {
    const row = db.prepare('SELECT s.fund, s.patient_json, o.status FROM settlement s JOIN outbox o ON o.settlement_id = s.id').get() as { fund: string; patient_json: string; status: string };
    assert.equal(row.fund, '0.00', 'no local rule paid anything');
    assert.equal(JSON.parse(row.patient_json).insuplcAdmdvs, '510104', 'the insured region travels to the envelope');
    assert.equal(row.status, 'pending');
    assert.equal((db.prepare('SELECT count(*) AS n FROM cash_sales').get() as { n: number }).n, 0);
  } finally {
    db.close();
  }
});

test('CLI cash self-pay: recorded as 自费 for a roster patient, the receipt says nothing came from the fund', () => {
  const data = demo();
  const out = join(data, 'self.html');
  const self = cli(['cash', 'self-pay', '--data', data, '--out', out], JSON.stringify({ requestId: crypto.randomUUID(), date: '2025-07-01', patient: '530902DM0101', lines: [{ code: 'YP0001', quantity: '2' }] }));
  assert.equal(self.code, 0, self.err);
  assert.deepEqual([self.json().total, self.json().kindZh, self.json().receiptNo], ['10.58', '自费', 'Z2025070100001']);
  const html = readFileSync(out, 'utf8');
  assert.ok(html.includes('自费结算单') && html.includes('医保统筹支付</td><td class="num">0.00 元'));
});

test('CLI candidates offer (seed 000 §二.(一).2): filing here only at a public institution; once marked public it is offered', () => {
  const data = demo();
  const stranger = syntheticCertno('530902', '1960-05-05', 11);
  const offer = cli(['candidates', 'offer', stranger, '--data', data]);
  assert.equal(offer.code, 0, offer.err);
  assert.equal(offer.json().fileHere, false, 'not marked public: no filing here');
  assert.match(offer.json().adviceZh, /待认定人员/);
  assert.equal(cli(['filing', 'settings', '--public', 'yes', '--data', data]).code, 0);
  const here = cli(['candidates', 'offer', stranger, '--data', data]);
  assert.equal(here.json().fileHere, true);
  assert.match(here.json().adviceZh, /一站式办理/);
  assert.equal(cli(['candidates', 'offer', '530902195603121011', '--data', data]).json().onRoster, true);
});

test('CLI candidates export (seed 000 §二.(一).1): the list for the health commission as CSV, personal data masked, written owner-only', () => {
  const data = demo();
  const person = syntheticCertno('530902', '1958-08-08', 13);
  assert.equal(cli(['candidates', 'add', '--data', data], JSON.stringify({ certno: person, name: '候选人', conditions: ['diabetes'] })).code, 0);
  const csv = cli(['candidates', 'export', '--data', data]);
  assert.equal(csv.code, 0, csv.err);
  const rows = csv.out.trim().split(/\r?\n/);
  assert.equal(rows.length, 2);
  assert.ok(csv.out.startsWith('\uFEFF序号,姓名,身份证号'), 'UTF-8 with BOM, the header first');
  assert.ok(rows[1]!.includes('糖尿病'));
  assert.ok(!csv.out.includes(person) && !csv.out.includes('候选人'));
  const file = join(data, 'candidates.csv');
  assert.equal(cli(['candidates', 'export', '--data', data, '--out', file]).code, 0);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8'), csv.out);
});

test('CLI stock compliance (seed 000 §二.(三).6): the demo health centre meets the 20-drug, five-class minimum', () => {
  const data = demo();
  const stock = cli(['stock', 'compliance', '--data', data]);
  assert.equal(stock.code, 0, stock.err);
  assert.equal(stock.json().vbpMinimum, 20);
  assert.equal(stock.json().classMinimum, 5);
  assert.equal(stock.json().meets, true);
  assert.ok(stock.json().vbpDrugs.length >= 20 && stock.json().classes.hypertension.length >= 5 && stock.json().classes.diabetes.length >= 5);
});
