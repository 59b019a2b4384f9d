// msgid = fixmedins_code (12) + yyyyMMddHHmmss (China time) + 4-digit sequence (platform-interface.md §1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactSecond, formatMsgid, infTime, nextSecond } from '../../core/platform/time.ts';
import { backoffDelay } from '../../core/outbox/uploader.ts';

test('timestamps are China Standard Time whatever the machine zone', () => {
  const at = new Date('2024-12-31T16:59:59Z');
  assert.equal(compactSecond(at), '20250101005959');
  assert.equal(infTime(at), '2025-01-01 00:59:59');
});

test('msgid is 30 characters: code, second, zero-padded sequence; bad parts are refused', () => {
  const id = formatMsgid('P53090100001', '20240801100000', 7);
  assert.equal(id, 'P53090100001202408011000000007');
  assert.equal(id.length, 30);
  assert.throws(() => formatMsgid('P5309', '20240801100000', 1), /12 characters/);
  assert.throws(() => formatMsgid('P53090100001', '20240801100000', 10000), /bad msgid/);
  assert.throws(() => formatMsgid('P53090100001', '20240801100000', 0), /bad msgid/);
});

test('nextSecond rolls minutes, days and years over', () => {
  assert.equal(nextSecond('20240801235959'), '20240802000000');
  assert.equal(nextSecond('20241231235959'), '20250101000000');
  assert.equal(nextSecond('20240228235959'), '20240229000000');
});

test('backoff grows exponentially with jitter inside [half, full] and stops at the cap', () => {
  assert.equal(backoffDelay(1, () => 0, 1000, 60_000), 500);
  assert.equal(backoffDelay(1, () => 1, 1000, 60_000), 1000);
  assert.equal(backoffDelay(4, () => 0, 1000, 60_000), 4000);
  assert.equal(backoffDelay(4, () => 1, 1000, 60_000), 8000);
  assert.equal(backoffDelay(30, () => 1, 1000, 60_000), 60_000);
  for (let f = 1; f < 12; f++) {
    const d = backoffDelay(f, Math.random, 1000, 60_000);
    const full = Math.min(60_000, 1000 * 2 ** (f - 1));
    assert.ok(d >= full / 2 && d <= full, `${f}: ${d}`);
  }
});
