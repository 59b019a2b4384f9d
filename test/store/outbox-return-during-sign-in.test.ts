// A partial return committed while the uploader is waiting for its 9001 sign-in. The uploader had
// already picked the sale's row as ready; the return finds the sale never sent and cancels it
// locally (it then resettles only the kept lines, with no 2103 to undo). The uploader must not
// send (or put back in line) a row that was cancelled under it: else the whole sale stands on the
// platform beside the resettlement of its kept lines and the fund is paid twice. The crash test
// hit this when a SIGKILL left the cancelled row 'sending' and recovery resolved it as unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal, fen } from '../../core/money/decimal.ts';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement, messagesOf, statusCounts } from '../../core/store/outbox.ts';
import { standingSettlements } from '../../core/store/simulator.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import type { PlatformClient } from '../../core/platform/client.ts';

async function setup() {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), faults: {} });
  let clock = Date.parse('2024-08-01T02:00:00Z');
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, now: () => clock, random: () => 0.5, hints: true });
  return { db, sim, up, advance: (ms: number) => (clock += ms), done: async () => (up.close(), await sim.close()) };
}

function infnoOf(body: unknown): string {
  return String((typeof body === 'string' ? JSON.parse(body) : (body as { infno: string })).infno);
}

type SignIn = 'answered' | 'not-delivered' | 'answered, next reply lost';

/**
 * Runs `during` once, while the first 9001 is on its way (the uploader is awaiting it), then lets
 * the 9001 go on or fail. 'answered, next reply lost': the next settle message (2102/2207) reaches
 * the platform but its reply does not reach us (as a SIGKILL after the send leaves it: an unknown
 * outcome, resolved by 2601 冲正 and a new msgid).
 */
function duringSignIn(client: PlatformClient, during: () => void, outcome: SignIn): void {
  const orig = client.send.bind(client);
  let signedIn = false;
  let lost = outcome !== 'answered, next reply lost';
  client.send = (async (...args: Parameters<PlatformClient['send']>) => {
    const infno = infnoOf(args[0]);
    if (!signedIn && infno === '9001') {
      signedIn = true;
      during();
      if (outcome === 'not-delivered') return { kind: 'not-delivered', error: 'connect ECONNREFUSED (test)' };
    }
    if (!lost && (infno === '2102' || infno === '2207')) {
      lost = true;
      await orig(...args);
      return { kind: 'ambiguous', error: 'socket hang up after the request was sent (test)' };
    }
    return orig(...args);
  }) as PlatformClient['send'];
}

for (const type of ['pharmacy', 'clinic'] as const) {
  for (const signIn of ['answered', 'not-delivered', 'answered, next reply lost'] as const) {
    test(`${type}: a partial return cancels the unsent sale while the uploader awaits its sign-in (${signIn}): only the kept lines stand, once`, async () => {
      const t = await setup();
      try {
        const sale = settleSale(t.db, { type });
        let ret: ReturnType<typeof reverse> | undefined;
        duringSignIn(
          t.up.client,
          () => {
            ret = reverse(t.db, { settlementId: sale.id, lines: ['a'], operator: { id: 'op01', name: '李药师' }, reason: '退一种药' });
          },
          signIn,
        );
        for (let i = 0; i < 3; i++) {
          t.advance(3600_000); // past any backoff
          await t.up.drainOnce();
        }
        assert.ok(ret, 'the return was committed during the sign-in');
        const standing = standingSettlements(t.sim.db);
        assert.deepEqual(
          standing.map((s) => s.medins_setl_id),
          [ret.id],
          'only the resettlement of the kept lines stands (the whole sale must not stand beside it)',
        );
        const keptFund = fen(new Decimal(sale.fund).plus(new Decimal(ret.fund)));
        assert.equal(standing[0]!.fund_pay_sumamt, keptFund, 'the fund pays the kept lines once');
        assert.equal(getOutboxBySettlement(t.db, sale.id)!.status, 'cancelled', 'the sale, cancelled locally by the return, is never sent');
        assert.equal(getOutboxBySettlement(t.db, ret.id)!.status, 'acked');
        if (signIn === 'answered, next reply lost') {
          const first = messagesOf(t.db, getOutboxBySettlement(t.db, ret.id)!.id).find((m) => m.infno === '2102' || m.infno === '2207')!;
          assert.equal(first.status, 'reversed', 'the unknown outcome was undone by 2601 and the step sent again under a new msgid');
        }
        const c = statusCounts(t.db);
        assert.equal(c.pending + c.sending + c.ambiguous + c.dead, 0);
      } finally {
        await t.done();
      }
    });
  }
}
