// The crash test with a small count (the full one is `npm run test:crash`): settling and uploading
// processes SIGKILLed at random points against the simulator with faults on; nothing lost, nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combine, crashLine, runCrash } from '../crash/crash-lib.ts';

test('16 SIGKILLs of settling/uploading processes: every committed settlement stands once, totals agree to the fen, chain verifies', { timeout: 120_000 }, async () => {
  const kills = Number(process.env.CRASH_SMALL_KILLS ?? 16);
  // Half resolving unknown outcomes by query, half by 2601 冲正 and a new msgid.
  const r = combine(await runCrash({ kills: Math.ceil(kills / 2), seed: 42, resolution: 'query' }), await runCrash({ kills: Math.floor(kills / 2), seed: 43, resolution: 'reverse' }));
  assert.equal(crashLine(r), `crash: ${r.kills} kills, ${r.settlements} settlements, lost 0, duplicated 0, ghosts 0`);
  assert.equal(r.toldWrong, 0);
  assert.equal(r.strayDeliveries, 0);
  assert.ok(r.settlements > 20, `settled ${r.settlements}`);
  assert.equal(r.phantom, 0, 'nothing the counter did not commit is on the platform');
  assert.equal(r.standing, r.expected);
  assert.deepEqual(r.platform, r.local, 'totals agree to the fen');
  assert.equal(r.chainOk, true);
  assert.equal(r.simStats.outbox_pending! + r.simStats.outbox_ambiguous! + r.simStats.outbox_dead!, 0);
});
