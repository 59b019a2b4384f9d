// The persistent msgid sequence: unique and increasing across restarts, a clock set back, and
// more messages in one second than the sequence holds; two counters (terminals) of one
// institution never give the same msgid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/store/db.ts';
import { MSGID_SEQ_PER_SECOND, nextMsgid, setTerminal } from '../../core/store/outbox.ts';
import { tempDir } from '../helpers/settlement.ts';

test('msgids are unique and increasing across a reopen, a clock going back and a full second of sequence', () => {
  const dir = tempDir();
  let db = openDatabase(dir);
  const code = 'H53090100001';
  const t = new Date('2024-08-01T02:00:00Z');
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < 10_001; i++) ids.push(nextMsgid(db, code, t));
  })();
  assert.equal(MSGID_SEQ_PER_SECOND, 999, 'the 4-digit tail is the terminal digit and a 3-digit sequence');
  assert.equal(ids[0], `${code}202408011000000001`);
  assert.equal(ids[998], `${code}202408011000000999`);
  assert.equal(ids[999], `${code}202408011000010001`, 'the sequence borrows the next second when one is spent');
  assert.equal(ids[10_000], `${code}202408011000100011`);
  db.close();
  db = openDatabase(dir);
  ids.push(nextMsgid(db, code, new Date('2024-08-01T01:00:00Z')), nextMsgid(db, code, t));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids, 'never goes backwards, even when the clock does');
  db.close();
});

test('two counters of one institution (terminals 1 and 2) sending in the same seconds never collide', () => {
  const code = 'P53090100001';
  const a = openDatabase(tempDir());
  const b = openDatabase(tempDir());
  setTerminal(a, { terminalNo: 1, devNo: 'COUNTER-1' });
  setTerminal(b, { terminalNo: 2, devNo: 'COUNTER-2' });
  const t = new Date('2024-08-01T02:00:00Z');
  const fromA: string[] = [];
  const fromB: string[] = [];
  for (let i = 0; i < 2500; i++) {
    fromA.push(nextMsgid(a, code, t));
    fromB.push(nextMsgid(b, code, t));
  }
  const all = new Set([...fromA, ...fromB]);
  assert.equal(all.size, 5000, 'no msgid is shared');
  assert.equal(fromA[0], `${code}202408011000001001`);
  assert.equal(fromB[0], `${code}202408011000002001`);
  for (const m of [...fromA, ...fromB]) assert.equal(m.length, 30);
  // Without distinct terminals two databases would collide: the same first msgid.
  const c = openDatabase(tempDir());
  const d = openDatabase(tempDir());
  assert.equal(nextMsgid(c, code, t), nextMsgid(d, code, t));
  for (const x of [a, b, c, d]) x.close();
});
