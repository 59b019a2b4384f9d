// Keyboard-wedge scan vs typing, told apart by key timing (onscan.js / Odoo barcode ideas).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_CLASSIFY, classifyKeystrokes, type KeyEvent } from '../../core/identity/index.ts';

/** Keys typed at fixed gaps, then the terminator after the same gap. */
function burst(text: string, gap: number, terminator: string | null = 'Enter', start = 1000): KeyEvent[] {
  const keys = [...text];
  if (terminator) keys.push(terminator);
  return keys.map((key, i) => ({ key, t: start + i * gap }));
}

test('a fast even burst ended by Enter is a scan; its text excludes the terminator', () => {
  const r = classifyKeystrokes(burst('11010519491231002X', 8));
  assert.equal(r.kind, 'scan');
  assert.equal(r.text, '11010519491231002X');
  assert.equal(r.terminator, 'Enter');
  assert.deepEqual(r.reasons, []);
  assert.equal(r.stats.chars, 18);
  assert.equal(r.stats.avgGapMs, 8);
});

test('human typing (150 ms a key) is typing', () => {
  const r = classifyKeystrokes(burst('530102199001011234', 150));
  assert.equal(r.kind, 'typing');
  assert.ok(r.reasons.includes('SLOW_AVERAGE'));
  assert.ok(r.reasons.includes('SLOW_GAP'));
});

test('average gap threshold: exactly 30 ms is a scan, 31 ms is not', () => {
  assert.equal(classifyKeystrokes(burst('ABCDEFGH', DEFAULT_CLASSIFY.maxAvgGapMs)).kind, 'scan');
  const r = classifyKeystrokes(burst('ABCDEFGH', DEFAULT_CLASSIFY.maxAvgGapMs + 1));
  assert.equal(r.kind, 'typing');
  assert.deepEqual(r.reasons, ['SLOW_AVERAGE']);
});

test('single-gap threshold: one pause of exactly 100 ms passes, 101 ms fails even if the average is fast', () => {
  const at = (pause: number): KeyEvent[] => {
    const ev = burst('A'.repeat(40), 5);
    // Put the pause in the middle and shift everything after it.
    return ev.map((e, i) => (i >= 20 ? { ...e, t: e.t + pause - 5 } : e));
  };
  assert.equal(classifyKeystrokes(at(100)).kind, 'scan');
  const r = classifyKeystrokes(at(101));
  assert.equal(r.kind, 'typing');
  assert.deepEqual(r.reasons, ['SLOW_GAP']);
});

test('minimum length: 6 characters can be a scan, 5 cannot', () => {
  assert.equal(classifyKeystrokes(burst('123456', 5)).kind, 'scan');
  const r = classifyKeystrokes(burst('12345', 5));
  assert.equal(r.kind, 'typing');
  assert.deepEqual(r.reasons, ['TOO_SHORT']);
});

test('Shift around capitals is ignored; Backspace means a person is editing', () => {
  const withShift: KeyEvent[] = [];
  let t = 0;
  for (const ch of 'AbCdEfGh') {
    if (ch === ch.toUpperCase()) withShift.push({ key: 'Shift', t: (t += 2) });
    withShift.push({ key: ch, t: (t += 4) });
  }
  withShift.push({ key: 'Enter', t: (t += 4) });
  const r = classifyKeystrokes(withShift);
  assert.equal(r.kind, 'scan');
  assert.equal(r.text, 'AbCdEfGh');
  const edit = burst('ABCDEFGH', 5, null);
  edit.splice(4, 0, { key: 'Backspace', t: edit[3]!.t + 2 });
  assert.ok(classifyKeystrokes(edit).reasons.includes('EDIT_KEY'));
});

test('terminators: Tab ends a scan; requireTerminator refuses a burst without one', () => {
  assert.equal(classifyKeystrokes(burst('ABCDEFGH', 5, 'Tab')).terminator, 'Tab');
  assert.equal(classifyKeystrokes(burst('ABCDEFGH', 5, null)).kind, 'scan');
  const r = classifyKeystrokes(burst('ABCDEFGH', 5, null), { requireTerminator: true });
  assert.equal(r.kind, 'typing');
  assert.deepEqual(r.reasons, ['NO_TERMINATOR']);
  // Keys after the terminator belong to the next input.
  const two = [...burst('ABCDEFGH', 5), ...burst('ZZZ', 5, null, 2000)];
  assert.equal(classifyKeystrokes(two).text, 'ABCDEFGH');
});

test('options override the thresholds; clocks going backwards and empty input are typing', () => {
  assert.equal(classifyKeystrokes(burst('ABCDEFGH', 40), { maxAvgGapMs: 50 }).kind, 'scan');
  assert.deepEqual(classifyKeystrokes([]).reasons, ['EMPTY']);
  const back = burst('ABCDEFGH', 5);
  back[3] = { ...back[3]!, t: 0 };
  assert.ok(classifyKeystrokes(back).reasons.includes('CLOCK'));
});

test('property: uniform gaps classify by the thresholds alone', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9A-Z]{1,40}$/), fc.integer({ min: 0, max: 200 }), (text, gap) => {
      const r = classifyKeystrokes(burst(text, gap));
      const expected = text.length >= DEFAULT_CLASSIFY.minLength && gap <= DEFAULT_CLASSIFY.maxAvgGapMs ? 'scan' : 'typing';
      assert.equal(r.kind, expected);
      assert.equal(r.text, text);
    }),
    { numRuns: 300 },
  );
});
