// The data commands end to end through the real CLI: import, lookup, search, settings, demo seed,
// --data DIR and LBC_DATA_DIR, JSON on stdout, errors as JSON on stderr with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { syntheticCertno } from '../../core/import/synthetic.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout), errJson: () => JSON.parse(r.stderr) };
}

test('demo seed, settings, search and lookup through the CLI', () => {
  const data = mkdtempSync(join(tmpdir(), 'lbc-data-cli-'));
  const seeded = cli(['demo', 'seed', '--data', data]);
  assert.equal(seeded.code, 0, seeded.err);
  assert.equal(seeded.json().catalog.inserted, 66);
  assert.equal(cli(['settings', 'get', 'policy', '--data', data]).json().policy, 'lincang');
  const search = cli(['search', 'aldp', '--limit', '3'], { LBC_DATA_DIR: data });
  assert.equal(search.code, 0, search.err);
  assert.equal(search.json().hits[0].generic_name, '氨氯地平');
  assert.equal(search.json().hits[0].listed, true);
  const look = cli(['lookup', '530902DM0103', '--data', data, '--date', '2025-07-01']);
  assert.equal(look.code, 0, look.err);
  assert.deepEqual([look.json().cap.limit, look.json().cap.left], ['720.00', '70.00']);
  const missing = cli(['lookup', '11010519491231002X', '--data', data]);
  assert.equal(missing.code, 2);
  assert.equal(missing.errJson().error.code, 'PATIENT_NOT_FOUND');
  const bad = cli(['settings', 'set', 'region', '53', '--data', data]);
  assert.equal(bad.code, 2);
  assert.equal(bad.errJson().error.problems[0].path, 'region');
});

test('import roster through the CLI: GBK with --encoding and a mapping file; --strict exits 2 and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-data-cli-'));
  const id = syntheticCertno('530902', '19560312', 21);
  writeFileSync(join(dir, 'roster.csv'), iconv.encode(`个人编码,证件号码,参保人,险种类别,慢病\nP1,${id},张三,居民,高血压\nP2,${id},李四,居民,癫痫\n`, 'gbk'));
  writeFileSync(join(dir, 'map.json'), JSON.stringify({ columns: { psn_no: '个人编码', certno: '证件号码', name: '参保人', insutype: '险种类别', conditions: '慢病' } }));
  const data = join(dir, 'data');
  const strict = cli(['import', 'roster', join(dir, 'roster.csv'), '--data', data, '--encoding', 'gbk', '--mapping', join(dir, 'map.json'), '--strict']);
  assert.equal(strict.code, 2);
  assert.deepEqual([strict.json().rolledBack, strict.json().rejected, strict.json().inserted], [true, 1, 0]);
  const r = cli(['import', 'roster', join(dir, 'roster.csv'), '--data', data, '--encoding', 'gbk', '--mapping', join(dir, 'map.json')]);
  assert.equal(r.code, 0, r.err);
  const report = r.json();
  assert.deepEqual([report.inserted, report.rejected], [1, 1]);
  assert.deepEqual([report.rejections[0].line, report.rejections[0].field, report.rejections[0].code], [3, 'conditions', 'INVALID_CONDITION']);
  assert.match(report.rejections[0].message, /conditions must be/);
  assert.match(report.rejections[0].messageZh, /病种/);
  assert.equal(r.err, '', 'no progress output when stderr is not a terminal');
  const usage = cli(['import', 'patients', 'x.csv', '--data', data]);
  assert.equal(usage.code, 2);
});
