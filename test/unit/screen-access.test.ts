// The browser shell's one-time codes and screen tokens (core/http/screen-access.ts), on a clock
// the test moves: a code works once and only within CODE_TTL_MS; a screen token is never a code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_TTL_MS, ScreenAccess } from '../../core/http/screen-access.ts';

test('a one-time code gives one screen token, once', () => {
  const a = new ScreenAccess();
  const code = a.issueCode();
  assert.match(code, /^[A-Za-z0-9_-]{22}$/);
  const token = a.exchange(code);
  assert.ok(token && token !== code);
  assert.equal(a.valid(token), true);
  assert.equal(a.exchange(code), null, 'the second use of the same code is refused');
  assert.equal(a.valid(code), false, 'a code is not itself a screen token');
  assert.equal(a.exchange(token!), null, 'a screen token is not a code');
  assert.equal(a.valid('x'.repeat(43)), false);
  assert.equal(a.valid(null), false);
});

test('a code expires after CODE_TTL_MS; one used just in time works', () => {
  let t = 1_000_000;
  const a = new ScreenAccess(() => t);
  const late = a.issueCode();
  const onTime = a.issueCode();
  t += CODE_TTL_MS;
  assert.ok(a.exchange(onTime), 'at the limit the code still works');
  t += 1;
  assert.equal(a.exchange(late), null, 'past the limit the code is refused');
  assert.equal(CODE_TTL_MS, 60_000);
});

test('each code is independent: codes issued for two windows give two tokens', () => {
  const a = new ScreenAccess();
  const [c1, c2] = [a.issueCode(), a.issueCode()];
  assert.notEqual(c1, c2);
  const [t1, t2] = [a.exchange(c2), a.exchange(c1)];
  assert.ok(t1 && t2 && t1 !== t2);
  assert.equal(a.valid(t1), true);
  assert.equal(a.valid(t2), true);
});

test('a screen token idle for 12 hours is no longer accepted', () => {
  let t = 0;
  const a = new ScreenAccess(() => t);
  const token = a.exchange(a.issueCode())!;
  t += 11 * 3600_000;
  assert.equal(a.valid(token), true, 'use keeps it alive');
  t += 11 * 3600_000;
  assert.equal(a.valid(token), true);
  t += 12 * 3600_000 + 1;
  assert.equal(a.valid(token), false);
});
