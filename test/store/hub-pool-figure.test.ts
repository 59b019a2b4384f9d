// Which figure of the patient's year a sale was priced from, with a hub (a real PostgreSQL): the
// group's (every counter, as of when) or, with the hub away, this counter's own plus the last hub
// figure; the quote, the line explanation, the settlement and the printed receipt say which in
// plain Chinese. A sale is priced once (catalog read once), again only when the hub's hold
// reports another figure. With no hub nothing of this shows.
import { PG_SKIP, startTestHub, type TestHub } from '../helpers/hub.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { pushJournal, type HubLink } from '../../core/hub/client.ts';
import { listen } from '../../core/hub/server.ts';
import { Decimal, fen } from '../../core/money/decimal.ts';
import { CounterService } from '../../core/service/index.ts';
import { type DB } from '../../core/store/db.ts';
import { setSetting } from '../../core/store/settings.ts';
import { countSql, type SqlCounter } from '../helpers/count-sql.ts';

const NOW = new Date('2026-03-10T02:00:00Z'); // 10:00 in Beijing
const patient = FIXTURE_REGIONS.lincang.eligible;
const lines = [{ code: drugBarcode(1), quantity: '2' }];
const catalogReads = (c: SqlCounter) => c.log.filter((s) => /OR barcode IN/.test(s)).length;

interface Counter { db: DB; s: CounterService; session: string; link: HubLink; sql: SqlCounter }

describe('the figure a sale was priced from, said on screen and on the receipt', { skip: PG_SKIP }, () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  async function counter(name: string, hubUrl: string | null = hub.url): Promise<Counter> {
    let sql!: SqlCounter;
    const c = await hub.joinCounter(name, { now: NOW, url: hubUrl, onOpen: (db) => (sql = countSql(db)) });
    return { ...c, sql };
  }


  const receipt = async (c: Counter, settlementId: string) => (await c.s.call('print', { session: c.session, document: 'receipt', layout: '80mm', settlementId })).html;

  test('online: the group figure, as of when, on the quote, the line, the settlement and the receipt; the sale is priced once', async () => {
    const a = await counter('a');
    const b = await counter('b');
    const first = await a.s.call('settle', { session: a.session, requestId: randomUUID(), patient, lines });
    await pushJournal(a.db, a.link);
    const q = await b.s.call('quote', { patient, lines });
    assert.equal(q.cap.source, 'group');
    assert.equal(q.cap.figureZh, '年度已用额度为本组全部柜台合计（中心数据，截至 2026-03-10 10:00）');
    assert.ok(q.lines[0]!.explain.some((n) => /^年度限额剩余 ¥[\d.]+（按本组全部柜台合计，截至 10:00）$/.test(n)), q.lines[0]!.explain.join('|'));
    const look = await b.s.call('lookup', { input: patient });
    assert.equal(look.patient!.cap!.used, first.fund, 'the patient panel shows what the other counter paid');
    assert.match(look.patient!.cap!.figureZh ?? '', /本组全部柜台合计/);

    b.sql.reset();
    const sale = await b.s.call('settle', { session: b.session, requestId: randomUUID(), patient, lines });
    assert.equal(catalogReads(b.sql), 1, 'one pricing for a settle with a hub (no re-price: the hold reported the same figure)');
    assert.equal(sale.poolFigureZh, '年度已用额度为本组全部柜台合计（中心数据，截至 2026-03-10 10:00）');
    assert.equal(fen(new Decimal(q.cap.before).minus(sale.fund)), sale.capLeft);
    const html = await receipt(b, sale.id);
    assert.ok(html.includes('年度已用额度为本组全部柜台合计（中心数据，截至 2026-03-10 10:00）'), 'the receipt says the figure was the group\'s');
    assert.ok(html.includes('（按本组全部柜台合计，截至 10:00）'));
    // Read back later (a reprint), the settlement still says which figure it was priced from.
    assert.equal((await b.s.call('getSettlement', { settlementId: sale.id })).poolFigureZh, sale.poolFigureZh);
    a.db.close();
    b.db.close();
  });

  test('the hold reports a figure other than the one read: priced a second time, from the hub\'s figure', async () => {
    const a = await counter('paid');
    await a.s.call('settle', { session: a.session, requestId: randomUUID(), patient, lines });
    await pushJournal(a.db, a.link);
    const truth = (await a.s.call('quote', { patient, lines })).cap.before;
    // A hub whose pool figure is stale (nothing paid), in front of the real one (which the hold reaches).
    const stale = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/v1/pool?')) {
        const u = new URL(req.url, 'http://x');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ psnNo: u.searchParams.get('psn'), year: Number(u.searchParams.get('year')), fund: '0.00', held: '0.00', counters: 0 }));
        return;
      }
      req.pipe(request(`${hub.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      }));
    });
    const b = await counter('stale', `http://127.0.0.1:${await listen(stale)}`);
    b.sql.reset();
    const sale = await b.s.call('settle', { session: b.session, requestId: randomUUID(), patient, lines });
    assert.equal(catalogReads(b.sql), 2, 'priced again once the hold reported the hub\'s own figure');
    assert.equal(sale.capLeft, fen(new Decimal(truth).minus(sale.fund)), 'the sale counts what the other counter paid');
    stale.closeAllConnections();
    await new Promise((r) => stale.close(r));
    a.db.close();
    b.db.close();
  });

  test('hub away: this counter\'s own records plus the last hub figure, said so, as of when', async () => {
    const a = await counter('left');
    const b = await counter('right');
    const paid = await a.s.call('settle', { session: a.session, requestId: randomUUID(), patient, lines });
    await pushJournal(a.db, a.link);
    // The hub answers once (the patient is looked up): its figure is kept. The same patient's year
    // has sales of the tests before at the hub, so the figure is more than this one sale.
    const online = (await b.s.call('lookup', { input: patient })).patient!.cap!;
    assert.ok(new Decimal(online.used).greaterThanOrEqualTo(paid.fund));
    setSetting(b.db, 'hub.link', { ...b.link, url: 'http://127.0.0.1:9' });
    const q = await b.s.call('quote', { patient, lines });
    assert.equal(q.cap.source, 'counter');
    assert.equal(q.cap.figureZh, '未连上中心：年度已用额度按本柜台记录加最近一次中心数据（截至 2026-03-10 10:00）计算，其他柜台此后的结算未计入');
    const limit = new Decimal(q.cap.limit);
    assert.equal(q.cap.before, fen(limit.minus(online.used)), 'the last hub figure counts');
    const offline = await b.s.call('settle', { session: b.session, requestId: randomUUID(), patient, lines });
    assert.match(offline.poolFigureZh ?? '', /^未连上中心/);
    assert.ok((await receipt(b, offline.id)).includes('未连上中心：年度已用额度按本柜台记录加最近一次中心数据（截至 2026-03-10 10:00）计算'));
    // This counter's own sale since the last hub figure is counted on top of it.
    const again = await b.s.call('quote', { patient, lines });
    assert.equal(again.cap.before, fen(limit.minus(online.used).minus(offline.fund)));
    const look = await b.s.call('lookup', { input: patient });
    assert.equal(look.patient!.cap!.used, fen(new Decimal(online.used).plus(offline.fund)));
    assert.match(look.patient!.cap!.figureZh ?? '', /^未连上中心/);
    // A counter that never reached the hub says its figure is its own only.
    const c = await counter('never', 'http://127.0.0.1:9');
    assert.equal((await c.s.call('quote', { patient, lines })).cap.figureZh, '未连上中心：年度已用额度仅按本柜台记录计算，其他柜台的结算未计入');
    a.db.close();
    b.db.close();
    c.db.close();
  });

  test('the same sale sent twice at once settles once; the hold of the one that did not commit is given back', async () => {
    const c = await counter('twice');
    const requestId = randomUUID();
    const [one, two] = await Promise.all([
      c.s.call('settle', { session: c.session, requestId, patient, lines }),
      c.s.call('settle', { session: c.session, requestId, patient, lines }),
    ]);
    assert.equal(one.id, two.id);
    const holds = (await hub.pool.query('SELECT sale_id FROM pool_holds WHERE counter_id = $1', [c.link.counterId])).rows.map((r: { sale_id: string }) => r.sale_id);
    assert.deepEqual(holds, [one.id], 'only the committed sale still holds its amount (until its record arrives)');
    c.db.close();
  });

  test('no hub configured: neither the screen nor the receipt speaks of one', async () => {
    const c = await counter('alone', null);
    const q = await c.s.call('quote', { patient, lines });
    assert.deepEqual([q.cap.source, q.cap.figureZh], ['counter', null]);
    assert.ok(!q.lines.some((l) => l.explain.some((n) => /柜台|中心/.test(n))));
    const sale = await c.s.call('settle', { session: c.session, requestId: randomUUID(), patient, lines });
    assert.equal(sale.poolFigureZh, null);
    const html = await receipt(c, sale.id);
    assert.ok(!/柜台合计|未连上中心/.test(html));
    assert.equal((await c.s.call('lookup', { input: patient })).patient!.cap!.figureZh, undefined);
    c.db.close();
  });
});
