// The service date and every platform stamp are Beijing time whatever the machine's zone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, compactSecond, daysBetween, fixedClock, nextSecond, serviceDate, serviceMonth, wallTime } from '../../core/clock/index.ts';

test('07:30 in Beijing on 1 January is still 31 December in UTC: the service date is Beijing\'s', () => {
  const at = new Date('2024-12-31T23:30:00Z');
  assert.equal(serviceDate(at), '2025-01-01');
  assert.equal(serviceMonth(at), '2025-01');
  assert.equal(wallTime(at), '2025-01-01 07:30:00');
  assert.equal(compactSecond(at), '20250101073000');
  assert.equal(serviceDate(new Date('2025-01-01T15:59:59Z')), '2025-01-01');
  assert.equal(serviceDate(new Date('2025-01-01T16:00:00Z')), '2025-01-02');
});

test('a pinned clock gives the same instant every time; calendar arithmetic crosses month and leap day', () => {
  const c = fixedClock('2024-02-28T20:00:00Z');
  assert.equal(serviceDate(c.now()), '2024-02-29');
  assert.equal(c.now().getTime(), c.now().getTime());
  assert.throws(() => fixedClock('not a time'), /not a time/);
  assert.equal(addDays('2024-02-28', 2), '2024-03-01');
  assert.equal(daysBetween('2024-02-28', '2024-03-01'), 2);
  assert.equal(nextSecond('20241231235959'), '20250101000000');
});
