// The CLI for what the local rules do not cover, through the real command line on demo data:
// cash self-pay / out-of-area (seed 001 §四) with the receipt written owner-only, the candidates
// list (seed 000 §二.(一).1) exported masked, the filing offer (seed 000 §二.(一).2) and stock
// compliance (seed 000 §二.(三).6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticCertno } from '../../core/import/synthetic.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout), errJson: () => JSON.parse(r.stderr) };
}

test('cash, candidates and stock through the CLI', () => {
  const data = mkdtempSync(join(tmpdir(), 'lbc-uncovered-cli-'));
  assert.equal(cli(['demo', 'seed', '--data', data]).code, 0);
  const out = join(data, 'claim.html');
  const certno = syntheticCertno('510104', '1955-03-03', 7);
  const sale = { requestId: crypto.randomUUID(), date: '2025-07-01', person: { name: '钱多多', certno, insuredRegion: '510104', insurance: 'resident' }, lines: [{ code: 'YP0001', quantity: '1' }] };
  const claim = cli(['cash', 'out-of-area', '--data', data, '--out', out], JSON.stringify(sale));
  assert.equal(claim.code, 0, claim.err);
  assert.deepEqual([claim.json().kind, claim.json().total, claim.json().receiptNo], ['out-of-area', '5.29', 'Y2025070100001']);
  assert.ok(readFileSync(out, 'utf8').includes('异地就医费用垫付凭证'));
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const bad = cli(['cash', 'out-of-area', '--data', data], JSON.stringify({ ...sale, requestId: crypto.randomUUID(), person: { name: '钱多多' } }));
  assert.equal(bad.code, 2);
  assert.ok(bad.errJson().error.problems.some((p: { path: string }) => p.path === 'person.certno'));
  const self = cli(['cash', 'self-pay', '--data', data], JSON.stringify({ requestId: crypto.randomUUID(), date: '2025-07-01', patient: '530902DM0101', lines: [{ code: 'YP0001', quantity: '2' }] }));
  assert.equal(self.code, 0, self.err);
  assert.equal(self.json().total, '10.58');

  const offer = cli(['candidates', 'offer', syntheticCertno('530902', '1960-05-05', 11), '--data', data]);
  assert.equal(offer.json().fileHere, false, 'not marked public: no filing here');
  const person = syntheticCertno('530902', '1958-08-08', 13);
  assert.equal(cli(['candidates', 'add', '--data', data], JSON.stringify({ certno: person, name: '候选人', conditions: ['diabetes'] })).code, 0);
  const csv = cli(['candidates', 'export', '--data', data]);
  assert.equal(csv.code, 0, csv.err);
  assert.equal(csv.out.trim().split(/\r?\n/).length, 2);
  assert.ok(!csv.out.includes(person) && !csv.out.includes('候选人'));

  const stock = cli(['stock', 'compliance', '--data', data]);
  assert.equal(stock.code, 0, stock.err);
  assert.equal(stock.json().vbpMinimum, 20);
  assert.equal(stock.json().meets, true);
});
