// The crash checker can fail (issue 13 reproduction 11): with a test-only fault in the counter
// processes (core/config/test-fault.ts) a small crash run must FAIL, and name why; without one
// the same run, through the worker and through the real HTTP service, passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashFailures, runCrash } from '../crash/crash-lib.ts';

test('double-send (every settlement sent twice under two msgids) fails the checker on duplicate deliveries', { timeout: 120_000 }, async () => {
  const r = await runCrash({ kills: 4, seed: 11, resolution: 'query', fault: 'double-send', maxLifeMs: 800 });
  assert.ok(r.told.committed > 0, 'something was settled');
  assert.ok(r.duplicateDeliveries > 0, JSON.stringify(r));
  // The platform stored each settlement once: counting stored sales alone (the old check) saw nothing.
  assert.equal(r.duplicated, 0);
  assert.ok(crashFailures(r).some((f) => /extra delivery/.test(f)));
});

test('ghost-commit (told committed, then rolled back) fails the checker, through the worker and through HTTP', { timeout: 120_000 }, async () => {
  const worker = await runCrash({ kills: 4, seed: 21, resolution: 'query', fault: 'ghost-commit', maxLifeMs: 800 });
  assert.ok(worker.ghosts > 0, JSON.stringify(worker));
  assert.ok(crashFailures(worker).some((f) => /told committed/.test(f)));
  const http = await runCrash({ kills: 3, seed: 13, via: 'http', fault: 'ghost-commit' });
  assert.ok(http.ghosts > 0, JSON.stringify(http));
  assert.equal(http.ghosts, http.told.committed, 'every answer was a ghost');
});

test('without a fault the same small runs pass: every answer matches the journal, one effective delivery per settlement', { timeout: 120_000 }, async () => {
  for (const r of [
    await runCrash({ kills: 3, seed: 11, resolution: 'query', maxLifeMs: 600 }),
    await runCrash({ kills: 3, seed: 13, via: 'http' }),
  ]) {
    assert.deepEqual(crashFailures(r), []);
    assert.ok(r.told.committed > 0);
    assert.equal(r.ghosts, 0);
    assert.equal(r.duplicateDeliveries, 0);
    assert.ok(r.deliveries >= r.standing);
  }
});
