// Two counters of one institution against one hub (a real PostgreSQL), through the counter
// service as the screen and the plugin API use it: the second counter prices with what the first
// paid (the quote says the figure is the group's), a sale the hub cannot hold is refused rather
// than passing the cap, and a hub that is away leaves each counter on its own figure.
import { PG_SKIP, startTestHub, type TestHub } from '../helpers/hub.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { Decimal, fen } from '../../core/money/decimal.ts';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { pushJournal } from '../../core/hub/client.ts';
import { listen } from '../../core/hub/server.ts';
import { ServiceRefusal } from '../../core/service/index.ts';
import { holdPool, type HubPool } from '../../core/store/hub-db.ts';
import type { PgCluster } from '../helpers/pg-cluster.ts';

const skip = PG_SKIP;
const NOW = new Date('2026-03-10T02:00:00Z');
const patient = FIXTURE_REGIONS.lincang.eligible;

describe('counters of one institution priced by the group figure', { skip }, () => {
  let cluster: PgCluster;
  let pool: HubPool;
  let server: Server;
  let url: string;

  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
    ({ cluster, pool, server, url } = hub);
  });
  after(async () => {
    await hub.stop();
  });

  const counter = (name: string, hubUrl = url) => hub.joinCounter(name, { now: NOW, url: hubUrl });


  const lines = [{ code: drugBarcode(1), quantity: '2' }];

  test('what one counter paid is what the other prices from, and the quote says so', async () => {
    const a = await counter('a');
    const b = await counter('b');
    const alone = await b.s.call('quote', { patient, lines });
    const sale = await a.s.call('settle', { session: a.session, requestId: randomUUID(), patient, lines });
    assert.ok(Number(sale.fund) > 0);
    await pushJournal(a.db, a.link);
    const after = await b.s.call('quote', { patient, lines });
    assert.equal(after.cap.source, 'group');
    assert.equal(fen(new Decimal(alone.cap.before).minus(after.cap.before)), sale.fund, 'the second counter sees the first counter\'s fund payment');
    a.db.close();
    b.db.close();
  });

  test('holds: what another counter is settling right now counts, and a sale the hub cannot hold is refused, not settled past the cap', async () => {
    const other = await counter('other');
    // A stale view of the pool (as when two counters ask at the same instant): the hub's figure
    // is read as nothing paid, but the hold goes to the real hub, which has the whole truth.
    const stale = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/v1/pool?')) {
        const u = new URL(req.url, 'http://x');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ psnNo: u.searchParams.get('psn'), year: Number(u.searchParams.get('year')), fund: '0.00', held: '0.00', counters: 0 }));
        return;
      }
      const fwd = request(`${url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(fwd);
    });
    const a = await counter('late', `http://127.0.0.1:${await listen(stale)}`);
    const q = await a.s.call('quote', { patient, lines });
    assert.ok(Number(q.fund) > 0);
    const psnNo = (a.db.prepare('SELECT psn_no FROM patients WHERE certno = ? OR psn_no = ?').get(patient, patient) as { psn_no: string }).psn_no;
    // The other counter (true view) holds all that is left of the year for a sale it is settling.
    const left = (await other.s.call('quote', { patient, lines })).cap.before;
    assert.ok(Number(left) > 0);
    const held = await holdPool(pool, { saleId: 'other-sale', counterId: other.link.counterId, psnNo, year: 2026, amount: left, cap: q.cap.limit, ttlSeconds: 600 });
    assert.equal(held.granted, true);
    // A counter with the true view now counts that hold.
    const honest = await other.s.call('quote', { patient, lines });
    assert.deepEqual([honest.cap.source, honest.cap.before, honest.fund], ['group', '0.00', '0.00']);
    // The counter with the stale view cannot settle past the cap: its hold is refused.
    const count = () => (a.db.prepare('SELECT count(*) AS n FROM settlement').get() as { n: number }).n;
    const before = count();
    await assert.rejects(
      a.s.call('settle', { session: a.session, requestId: randomUUID(), patient, lines }),
      (e: unknown) => e instanceof ServiceRefusal && e.code === 'GROUP_CAP_CHANGED' && /重新计价/.test(e.messageZh),
    );
    assert.equal(count(), before, 'nothing was written');
    stale.closeAllConnections();
    await new Promise((r) => stale.close(r));
    a.db.close();
    other.db.close();
  });

  test('with the hub away, each counter prices on its own figure', async () => {
    const c = await counter('away', 'http://127.0.0.1:9');
    const q = await c.s.call('quote', { patient, lines });
    assert.equal(q.cap.source, 'counter');
    const sale = await c.s.call('settle', { session: c.session, requestId: randomUUID(), patient, lines });
    assert.equal(sale.kind, 'sale');
    c.db.close();
  });
});
