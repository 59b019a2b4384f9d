// Enter in the item field (renderer/itemEnter.ts): an exact code or barcode wins whatever the
// key timing, so a wedge scan slowed down by a busy PC is not mistaken for typing and answered
// with the highlighted hit of a half-typed code (the CI flake of counter.spec, lincang).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemEnterAction } from '../../renderer/itemEnter.ts';
import { classifyKeystrokes } from '../../core/identity/keystrokes.ts';

const hit = (n: number) => ({ code: `X${n}`, barcode: `690123400000${n}`, ownCode: null, name: `drug ${n}` });
const prefixList = [hit(1), hit(2), hit(3)]; // what the live search lists for "6901"

test('a slowed scan (read as typing) of a barcode on the open prefix list adds that item, not the highlighted one', () => {
  // Keys 5–6 ms apart but one 300 ms stall: the classifier says typing.
  const keys = [...'6901234000002'].map((k, i) => ({ key: k, t: i * 6 + (i >= 6 ? 300 : 0) }));
  const c = classifyKeystrokes([...keys, { key: 'Enter', t: 400 }]);
  const scan = c.kind === 'scan';
  assert.equal(scan, false, 'the stall reads as typing');
  const act = itemEnterAction({ text: '6901234000002', hits: prefixList, hitIndex: 0, scan, picked: false });
  assert.deepEqual(act, { kind: 'add', item: hit(2) });
});

test('a full code not on the list is looked up exactly, with the highlighted hit only as the fallback of a typed one', () => {
  assert.deepEqual(itemEnterAction({ text: ' 6909999999999 ', hits: prefixList, hitIndex: 1, scan: false, picked: false }), { kind: 'lookup', text: '6909999999999', orPick: hit(2) });
  assert.deepEqual(itemEnterAction({ text: '6909999999999', hits: prefixList, hitIndex: 1, scan: true, picked: false }), { kind: 'lookup', text: '6909999999999', orPick: null });
  assert.deepEqual(itemEnterAction({ text: '6909999999999', hits: null, hitIndex: 0, scan: false, picked: false }), { kind: 'lookup', text: '6909999999999', orPick: null });
});

test('typing a name, pinyin or short code with the list open takes the highlighted hit; moving in the list does too', () => {
  assert.deepEqual(itemEnterAction({ text: 'aldp', hits: prefixList, hitIndex: 2, scan: false, picked: false }), { kind: 'add', item: hit(3) });
  assert.deepEqual(itemEnterAction({ text: '氨氯', hits: prefixList, hitIndex: 0, scan: false, picked: false }), { kind: 'add', item: hit(1) });
  assert.deepEqual(itemEnterAction({ text: '6901', hits: prefixList, hitIndex: 1, scan: false, picked: false }), { kind: 'add', item: hit(2) });
  assert.deepEqual(itemEnterAction({ text: '690123', hits: prefixList, hitIndex: 2, scan: false, picked: true }), { kind: 'add', item: hit(3) });
  // A code-like text without moving in the list is resolved exactly first.
  assert.equal(itemEnterAction({ text: '690123', hits: prefixList, hitIndex: 2, scan: false, picked: false }).kind, 'lookup');
  assert.deepEqual(itemEnterAction({ text: '   ', hits: prefixList, hitIndex: 0, scan: false, picked: false }), { kind: 'none' });
});
