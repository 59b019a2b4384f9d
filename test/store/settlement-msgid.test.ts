// The persistent msgid sequence: unique and increasing across restarts, a clock set back, and
// more than 9,999 messages in one second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/store/db.ts';
import { nextMsgid } from '../../core/store/outbox.ts';
import { tempDir } from '../helpers/settlement.ts';

test('msgids are unique and increasing across a reopen, a clock going back and 9,999 in one second', () => {
  const dir = tempDir();
  let db = openDatabase(dir);
  const code = 'H53090100001';
  const t = new Date('2024-08-01T02:00:00Z');
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < 10_001; i++) ids.push(nextMsgid(db, code, t));
  })();
  assert.equal(ids[0], `${code}202408011000000001`);
  assert.equal(ids[9998], `${code}202408011000009999`);
  assert.equal(ids[9999], `${code}202408011000010001`, 'the sequence borrows the next second when one is spent');
  db.close();
  db = openDatabase(dir);
  ids.push(nextMsgid(db, code, new Date('2024-08-01T01:00:00Z')), nextMsgid(db, code, t));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids, 'never goes backwards, even when the clock does');
  db.close();
});
