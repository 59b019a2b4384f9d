// `cli identify INPUT`: JSON on stdout, exit 0 even when the input is invalid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a valid ID prints kind, valid, normalized and no problems', () => {
  const r = cli(['identify', '11010519491231002x', '--today', '2026-11-24']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.kind, 'id-card');
  assert.equal(out.valid, true);
  assert.equal(out.normalized, '11010519491231002X');
  assert.deepEqual(out.problems, []);
});

test('an invalid ID exits 0 with valid:false and the check-digit problem; --mask hides the number; stdin with -', () => {
  const r = cli(['identify', '-', '--mask', '--today', '2026-11-24'], '110105194912310021\n');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.valid, false);
  assert.equal(out.problems[0].code, 'CHECK_DIGIT');
  assert.equal(out.normalized, '1101**********0021');
  assert.ok(!r.stdout.includes('110105194912310021'));
});

test('no input, or a bad --today, is a usage error (exit 2, JSON on stderr)', () => {
  const r = cli(['identify']);
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stderr).error.code, 'INVALID_ARGUMENT');
  assert.equal(cli(['identify', 'x', '--today', '2026-02-30']).code, 2);
});
