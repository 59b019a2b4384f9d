// Bad quote requests are refused with every problem named by its field path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { book, line, request } from '../helpers/quote.ts';
import { quoteRaw } from '../../core/policy/index.ts';
import { InputError } from '../../core/contract/problems.ts';

function problemsOf(raw: unknown): { path: string; message: string; messageZh: string }[] {
  try {
    quoteRaw(book, raw);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
    return e.problems;
  }
  assert.fail('the request was accepted');
}

test('a negative quantity names lines.0.quantity', () => {
  const p = problemsOf(request({ lines: [line({ quantity: -2 })] }));
  assert.equal(p[0]!.path, 'lines.0.quantity');
  assert.match(p[0]!.message, /negative/);
  assert.match(p[0]!.messageZh, /负数/);
});

test('a zero quantity is refused', () => {
  assert.equal(problemsOf(request({ lines: [line({ quantity: '0.0000' })] }))[0]!.path, 'lines.0.quantity');
});

test('malformed money is refused with the value it got', () => {
  const p = problemsOf(request({ usedThisYear: '12,50' }));
  assert.equal(p[0]!.path, 'usedThisYear');
  assert.match(p[0]!.message, /"12,50"/);
  assert.equal(problemsOf(request({ lines: [line({ price: '¥3' })] }))[0]!.path, 'lines.0.price');
});

test('more than 6 decimals in a price, more than 4 in a quantity, more than 2 in money', () => {
  const price = problemsOf(request({ lines: [line({ price: '1.1234567' })] }))[0]!;
  assert.equal(price.path, 'lines.0.price');
  assert.match(price.message, /7 decimals; at most 6/);
  assert.equal(problemsOf(request({ lines: [line({ quantity: '1.12345' })] }))[0]!.path, 'lines.0.quantity');
  assert.equal(problemsOf(request({ usedThisYear: '1.001' }))[0]!.path, 'usedThisYear');
  // the maximum precision is accepted
  assert.equal(quoteRaw(book, request({ lines: [line({ price: '1.123456', quantity: '1.1234' })] })).lines[0]!.total, '1.26');
});

test('an unknown policy names the field and lists the known ones', () => {
  const p = problemsOf(request({ policy: 'shanghai' }));
  assert.equal(p[0]!.path, 'policy');
  assert.match(p[0]!.message, /lincang/);
});

test('impossible dates are refused', () => {
  for (const date of ['2024-02-30', '2023-02-29', '2024-13-01', '24-08-01', '2024-8-1']) {
    assert.equal(problemsOf(request({ date }))[0]!.path, 'date', date);
  }
  assert.equal(quoteRaw(book, request({ date: '2024-02-29' })).policy.version, '2022-01-01');
});

test('a sale with no lines is refused', () => {
  const p = problemsOf(request({ lines: [] }));
  assert.equal(p[0]!.path, 'lines');
});

test('duplicate line ids are refused', () => {
  assert.equal(problemsOf(request({ lines: [line({ id: 'x' }), line({ id: 'x' })] }))[0]!.path, 'lines.1.id');
});

test('several problems are all reported at once', () => {
  const p = problemsOf(request({ date: '2024-02-30', lines: [line({ quantity: -1, price: 'abc' })] }));
  assert.deepEqual(p.map((x) => x.path).sort(), ['date', 'lines.0.price', 'lines.0.quantity']);
});

test('wrong enum values are refused (institution.level 4, insurance "farmer")', () => {
  assert.equal(problemsOf(request({ institution: { level: 4 as never } }))[0]!.path, 'institution.level');
  assert.equal(problemsOf(request({ patient: { insurance: 'farmer' as never } }))[0]!.path, 'patient.insurance');
});
