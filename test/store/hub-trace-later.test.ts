// Trace codes sold while the hub was away (a real PostgreSQL hub): the sale settles on the
// counter's own journal and its codes wait; when the hub is back the counter's background sync
// claims them. A code no one else sold is the group's from then on (refused elsewhere); one
// another counter sold meanwhile is a conflict: never an edit of either sale, but flagged for
// the operator (待处理, until the sale is reversed) and in the group's monthly report.
import { PG_SKIP, startTestHub, type TestHub } from '../helpers/hub.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { pushJournal, type HubLink } from '../../core/hub/client.ts';
import { groupReports } from '../../core/hub/reports.ts';
import { HubSync } from '../../core/hub/sync.ts';
import { CounterService, ServiceRefusal } from '../../core/service/index.ts';
import { type DB } from '../../core/store/db.ts';
import { setSetting } from '../../core/store/settings.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const patient = FIXTURE_REGIONS.lincang.eligible;
const X = '81234567890123457701';
const Y = '81234567890123457702';
const Z = '81234567890123457703';
const box = (codes: string[]) => [{ code: drugBarcode(1), quantity: String(codes.length), traceCodes: codes }];

interface Counter { db: DB; s: CounterService; session: string; link: HubLink }

describe('trace codes sold while the hub was away are claimed when it is back; a conflict is flagged', { skip: PG_SKIP }, () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  const counter = (name: string): Promise<Counter> => hub.joinCounter(name, { now: NOW });

  const claims = (db: DB) => db.prepare('SELECT code, state FROM hub_trace_claim ORDER BY code').all() as { code: string; state: string }[];
  const syncRound = async (db: DB) => {
    const sync = new HubSync(db, { log: () => undefined });
    sync.wake();
    await sync.stop();
  };

  test('offline codes wait, are claimed when the hub is back; one sold elsewhere meanwhile is flagged, never edited', async () => {
    const a = await counter('offline');
    const b = await counter('online');
    // Counter A loses the hub and sells boxes X and Y on its own journal.
    setSetting(a.db, 'hub.link', { ...a.link, url: 'http://127.0.0.1:9' });
    const offline = await a.s.call('settle', { session: a.session, requestId: randomUUID(), patient, lines: box([X, Y]) });
    assert.deepEqual(claims(a.db), [{ code: X, state: 'pending' }, { code: Y, state: 'pending' }]);
    assert.equal((await hub.pool.query('SELECT count(*)::int AS n FROM trace_codes')).rows[0].n, 0, 'the hub has not heard of them');
    // Meanwhile counter B, online, sells box X too: the hub has no claim on it, so it goes.
    const online = await b.s.call('settle', { session: b.session, requestId: randomUUID(), patient, lines: box([X]) });
    await pushJournal(b.db, b.link);
    // A sync round while the hub is still away changes nothing.
    await syncRound(a.db);
    assert.deepEqual(claims(a.db).map((c) => c.state), ['pending', 'pending']);

    // The hub is back: A's background sync pushes its journal and claims the waiting codes.
    setSetting(a.db, 'hub.link', a.link);
    const before = (a.db.prepare('SELECT hash FROM settlement WHERE id = ?').get(offline.id) as { hash: string }).hash;
    await syncRound(a.db);
    assert.deepEqual(claims(a.db), [{ code: X, state: 'conflict' }, { code: Y, state: 'claimed' }]);
    const held = (await hub.pool.query('SELECT code, settlement_id FROM trace_codes ORDER BY code')).rows;
    assert.deepEqual(held, [{ code: X, settlement_id: online.id }, { code: Y, settlement_id: offline.id }]);
    assert.equal((a.db.prepare('SELECT hash FROM settlement WHERE id = ?').get(offline.id) as { hash: string }).hash, before, 'the sale is not edited');
    assert.equal((await hub.pool.query('SELECT count(*)::int AS n FROM journal_settlement WHERE id = $1', [offline.id])).rows[0].n, 1, 'and it reached the hub as it is');

    // Y is the group's now: refused at B, in plain Chinese.
    await assert.rejects(
      b.s.call('settle', { session: b.session, requestId: randomUUID(), patient, lines: box([Y]) }),
      (e: unknown) => e instanceof ServiceRefusal && e.code === 'TRACE_CODE_SOLD' && e.messageZh.includes(`追溯码 ${Y} 已在本机构其他柜台或本连锁其他门店售出`),
    );
    // A code nobody else sold, sold offline and claimed later, raises nothing.
    setSetting(a.db, 'hub.link', { ...a.link, url: 'http://127.0.0.1:9' });
    await a.s.call('settle', { session: a.session, requestId: randomUUID(), patient, lines: box([Z]) });
    setSetting(a.db, 'hub.link', a.link);
    await syncRound(a.db);
    assert.equal(claims(a.db).find((c) => c.code === Z)!.state, 'claimed');

    // The operator is told which sale, which box, and what to do; the badge counts it.
    const items = (await a.s.call('attention', {})).items.filter((i) => i.state === 'trace-conflict');
    assert.equal(items.length, 1);
    assert.equal(items[0]!.receiptNo, offline.receiptNo);
    assert.match(items[0]!.problemZh, new RegExp(`追溯码 ${X}（氨氯地平片）在断网期间已由本组其他柜台或门店先行售出`));
    assert.doesNotMatch(items[0]!.problemZh + items[0]!.whatToDoZh, /[A-Za-z_]{4,}/);
    assert.match(items[0]!.whatToDoZh, /退药退费/);
    assert.equal((await a.s.call('outboxStatus', {})).attention >= 1, true);

    // The group's monthly report, for the institution and the group, lists the box sold twice with both sales.
    await pushJournal(a.db, a.link);
    const reports = await groupReports(hub.pool, 'statistics', '2026-03', { code: 'GROUP', name: '临翔区医共体' });
    for (const doc of [reports.group, reports.members[0]!.report]) {
      const t = doc.tables.find((x) => x.id === 'group-checks');
      assert.ok(t, 'the report has the hub\'s checks');
      assert.equal(t.rows.length, 1);
      assert.equal(t.rows[0]!.what, `追溯码 ${X}`);
      assert.ok(String(t.rows[0]!.where).includes(offline.receiptNo) && String(t.rows[0]!.where).includes(online.receiptNo));
    }

    // Reversing the sale that sold the box twice settles it for the operator, and the report no longer lists it.
    await a.s.call('reverse', { session: a.session, settlementId: offline.id, reason: '同一盒药重复销售，冲销本笔' });
    assert.equal((await a.s.call('attention', {})).items.filter((i) => i.state === 'trace-conflict').length, 0);
    await pushJournal(a.db, a.link);
    const later = await groupReports(hub.pool, 'statistics', '2026-03', { code: 'GROUP', name: '临翔区医共体' });
    assert.equal(later.group.tables.find((x) => x.id === 'group-checks'), undefined);
    a.db.close();
    b.db.close();
  });
});
