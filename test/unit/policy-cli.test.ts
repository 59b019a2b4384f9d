// `cli quote` (contract v1): one request → one result; an array → results in order with errors
// in place and exit 0; a single invalid request → exit 2 and the problems as JSON on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request, line } from '../helpers/quote.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function cli(args: string[], input: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a single request prints its result', () => {
  const r = cli(['quote'], JSON.stringify(request({ lines: [line({ price: '10', quantity: 3, vbp: true })] })));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.total, '30.00');
  assert.equal(out.fund, '27.00');
  assert.equal(out.lines[0].rate, '0.9');
});

test('an array gives an array in the same order, errors in place, exit 0', () => {
  const batch = [request({ lines: [line({ price: '10' })] }), request({ date: '2024-02-30' }), request({ policy: 'ezhou', lines: [line({ price: '10' })] })];
  const r = cli(['quote'], JSON.stringify(batch));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.length, 3);
  assert.equal(out[0].fund, '6.00');
  assert.equal(out[1].error.problems[0].path, 'date');
  assert.equal(out[2].fund, '5.00');
});

test('a single invalid request exits 2 with the problems on stderr', () => {
  const r = cli(['quote'], JSON.stringify(request({ lines: [line({ quantity: -1 })] })));
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const err = JSON.parse(r.stderr.slice(r.stderr.indexOf('{')));
  assert.equal(err.error.problems[0].path, 'lines.0.quantity');
});

test('malformed JSON exits 2 and says so', () => {
  const r = cli(['quote'], '{"policy": ');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not valid JSON/);
});
