// The hub against a real PostgreSQL (a throwaway cluster): counters of one institution push their
// journals, the hub keeps them append-only and whole, answers the group's pool figure, issues
// terminal numbers, refuses a trace code sold twice, and hands the roster down by version cursor.
import { PG_SKIP, startTestHub, type TestHub } from '../helpers/hub.ts';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { groupPoolFigure, claimTraceCodes, holdPool, releaseHold, HubRefused, pullRoster, pushJournal, terminalNumber, type HubLink } from '../../core/hub/client.ts';
import { createHub, listen } from '../../core/hub/server.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { addCounter, holdPool as storeHold, HUB_APP_ROLE, journalOfCounter, listPoolFlags, migrateHub, openHubPool, revokeCounter, upsertRoster, type HubPool } from '../../core/store/hub-db.ts';
import { journalAfter, rosterRows, unpushedCount } from '../../core/store/hub-sync.ts';
import { makeTls } from '../../core/hub/tls.ts';
import { groupReports } from '../../core/hub/reports.ts';
import { buildReport } from '../../core/reports/index.ts';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPgCluster, startStandby, type PgCluster } from '../helpers/pg-cluster.ts';
import { settleSale, tempDir } from '../helpers/settlement.ts';
import { addPatient } from '../helpers/store-fixtures.ts';

const skip = PG_SKIP;

describe('hub on PostgreSQL', { skip }, () => {
  let cluster: PgCluster;
  let pool: HubPool;
  let server: Server;
  let url: string;
  const dirs: string[] = [];

  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
    ({ cluster, pool, server, url } = hub);
  });
  after(async () => {
    await hub.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function counter(name: string, institutionCode = 'P53090100001'): Promise<{ link: HubLink; db: DB }> {
    const secret = randomBytes(24).toString('base64url');
    const id = `c-${name}-${randomBytes(3).toString('hex')}`;
    await addCounter(pool, { id, institutionCode, name, secret });
    const dir = tempDir('lbc-hub-');
    dirs.push(dir);
    return { link: { url, counterId: id, secret }, db: openDatabase(dir) };
  }

  test('two counters of one institution: journals arrive whole, a repeated push stores nothing twice', async () => {
    const a = await counter('a');
    const b = await counter('b');
    for (let i = 0; i < 3; i++) settleSale(a.db, { psnNo: '53090000000000000011', date: `2024-08-0${i + 1}` });
    for (let i = 0; i < 2; i++) settleSale(b.db, { psnNo: '53090000000000000011', date: `2024-09-0${i + 1}` });
    assert.equal(unpushedCount(a.db), 3);
    const pa = await pushJournal(a.db, a.link, 2);
    const pb = await pushJournal(b.db, b.link);
    assert.deepEqual([pa.pushed, pb.pushed], [3, 2]);
    assert.equal(unpushedCount(a.db), 0);

    // The hub's copy equals each counter's journal record for record.
    assert.deepEqual(await journalOfCounter(pool, a.link.counterId), journalAfter(a.db, 0, 100));
    assert.deepEqual(await journalOfCounter(pool, b.link.counterId), journalAfter(b.db, 0, 100));

    // A lost reply: the counter sends the same records again; the hub holds them once.
    const { setPushedSeq } = await import('../../core/store/hub-sync.ts');
    setPushedSeq(a.db, 0);
    const again = await pushJournal(a.db, a.link);
    assert.deepEqual([again.pushed, again.duplicates], [0, 3]);
    assert.equal((await journalOfCounter(pool, a.link.counterId)).length, 3);

    // The group's year for the patient adds up both counters' fund payments.
    const fundOf = (db: DB) => journalAfter(db, 0, 100).reduce((s, r) => s + Math.round(Number(r.settlement.fund) * 100), 0);
    const fig = await groupPoolFigure(a.link, '53090000000000000011', 2024);
    assert.ok(fig);
    assert.equal(fig.counters, 2);
    assert.equal(Math.round(Number(fig.fund) * 100), fundOf(a.db) + fundOf(b.db));
    assert.equal((await groupPoolFigure(a.link, '53090000000000000011', 2023))!.fund, '0.00');
    a.db.close();
    b.db.close();
  });

  test('a record edited at the counter after it was pushed is a conflict, never an overwrite', async () => {
    const a = await counter('edit');
    settleSale(a.db, { psnNo: '53090000000000000012' });
    await pushJournal(a.db, a.link);
    const [rec] = journalAfter(a.db, 0, 1);
    const forged = { ...rec!, settlement: { ...rec!.settlement, fund: '999.00', hash: 'f'.repeat(64) } };
    const res = await fetch(`${url}/v1/journal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.link.counterId}:${a.link.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [forged] }),
    });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'JOURNAL_CONFLICT');
    assert.equal((await journalOfCounter(pool, a.link.counterId))[0]!.settlement.fund, rec!.settlement.fund);
    a.db.close();
  });

  test('the journal refuses UPDATE and DELETE: the application role has no grant, and a trigger stops even the owner', async () => {
    await assert.rejects(pool.query("UPDATE journal_settlement SET fund = 0"), /append-only/);
    await assert.rejects(pool.query('DELETE FROM journal_line'), /append-only/);
    await assert.rejects(pool.query('TRUNCATE journal_settlement CASCADE'), /append-only/);
    const app = new pg.Client({ connectionString: cluster.url().replace('postgres@', `${HUB_APP_ROLE}@`) });
    await app.connect();
    try {
      await assert.rejects(app.query('UPDATE journal_settlement SET fund = 0'), /permission denied/);
      await assert.rejects(app.query('DELETE FROM journal_settlement'), /permission denied/);
      await assert.rejects(app.query("INSERT INTO counters (id, institution_code, name, credential_sha256, dev_no) VALUES ('x', 'H1', 'n', 'd', 9)"), /permission denied/);
      assert.equal((await app.query('SELECT count(*) FROM journal_settlement')).rowCount, 1);
    } finally {
      await app.end();
    }
  });

  test('terminal numbers are unique within an institution; a revoked counter is shut out', async () => {
    const x = await counter('t1', 'H53090200001');
    const y = await counter('t2', 'H53090200001');
    const z = await counter('t3', 'H53090200002');
    const nos = await Promise.all([x, y, z].map((c) => terminalNumber(c.link)));
    assert.deepEqual(nos.map((n) => n.devNo), ['01', '02', '01']);
    await revokeCounter(pool, y.link.counterId);
    await assert.rejects(terminalNumber(y.link), (e: unknown) => e instanceof HubRefused && e.status === 401);
    for (const c of [x, y, z]) c.db.close();
  });

  test('a trace code sold at one counter is refused at another; the same sale may retry its claim', async () => {
    const a = await counter('tr-a');
    const b = await counter('tr-b');
    const code = '81234567890123456789';
    assert.deepEqual((await claimTraceCodes(a.link, 'sale-1', [code])).claimed, [code]);
    assert.deepEqual((await claimTraceCodes(a.link, 'sale-1', [code])).claimed, [code]);
    const other = await claimTraceCodes(b.link, 'sale-2', [code, '81234567890123456780']);
    assert.deepEqual(other.claimed, ['81234567890123456780']);
    assert.deepEqual(other.refused, [{ code, counterId: a.link.counterId, settlementId: 'sale-1' }]);
    a.db.close();
    b.db.close();
  });

  test('records that together exceed the cap are flagged at the hub, each record kept as it is', async () => {
    const a = await counter('cap-a');
    const b = await counter('cap-b');
    // Each counter alone stays within the 600 cap; together they do not.
    for (const c of [a, b]) settleSale(c.db, { psnNo: '53090000000000000013', lines: [{ id: 'a', price: '100.00', quantity: '4', vbp: true, paymentStandard: '100.00' }] });
    const fa = journalAfter(a.db, 0, 1)[0]!.settlement.fund;
    assert.ok(Number(fa) > 300, `one sale pays ${fa}`);
    const first = await pushJournal(a.db, a.link);
    assert.deepEqual(first.overCap, []);
    const second = await pushJournal(b.db, b.link);
    assert.equal(second.overCap.length, 1);
    assert.equal(second.overCap[0]!.cap, '600.00');
    assert.deepEqual((await listPoolFlags(pool)).map((f) => f.psn_no), ['53090000000000000013']);
    a.db.close();
    b.db.close();
  });

  test('the roster flows down by version cursor: a changed row comes again, an unchanged one does not', async () => {
    const source = openDatabase(tempDir('lbc-hub-src-'));
    for (let i = 0; i < 30; i++) addPatient(source, { psn_no: `HUBP${String(i).padStart(4, '0')}`, certno: null });
    for (const rows of rosterRows(source, 7)) await upsertRoster(pool, rows);
    const c = await counter('roster');
    assert.equal(await pullRoster(c.db, c.link, 8), 30);
    assert.equal(await pullRoster(c.db, c.link, 8), 0);
    const [rows] = [...rosterRows(source, 100)];
    const changed = { ...rows![3]!, name: '改名后', content_hash: 'changed' };
    await upsertRoster(pool, [changed, rows![4]!]);
    assert.equal(await pullRoster(c.db, c.link), 1);
    const got = c.db.prepare('SELECT name FROM patients WHERE psn_no = ?').get(changed.psn_no) as { name: string };
    assert.equal(got.name, '改名后');
    source.close();
    c.db.close();
  });

  test('a hub that does not answer in time leaves the counter on its own figures', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    const port = await listen(silent);
    const t0 = Date.now();
    const fig = await groupPoolFigure({ url: `http://127.0.0.1:${port}`, counterId: 'x', secret: 'y'.repeat(16) }, 'P1', 2024, 200);
    assert.equal(fig, null);
    assert.ok(Date.now() - t0 < 1500);
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });

  test('over TLS with the group CA: a counter that trusts ca.pem connects; one that does not is refused', async () => {
    const tlsDir = tempDir('lbc-hub-tls-');
    dirs.push(tlsDir);
    makeTls(tlsDir, 'hub.example');
    assert.equal(statSync(join(tlsDir, 'hub.key')).mode & 0o777, 0o600);
    const secure = createHub({ pool, tls: { key: readFileSync(join(tlsDir, 'hub.key'), 'utf8'), cert: readFileSync(join(tlsDir, 'hub.pem'), 'utf8') } });
    const port = await listen(secure);
    const c = await counter('tls');
    const link = { ...c.link, url: `https://127.0.0.1:${port}` };
    assert.equal((await terminalNumber({ ...link, ca: readFileSync(join(tlsDir, 'ca.pem'), 'utf8') })).counterId, c.link.counterId);
    await assert.rejects(terminalNumber(link), /unreachable/);
    secure.closeAllConnections();
    await new Promise((r) => secure.close(r));
    c.db.close();
  });

  test('holds: ten counters settling the same patient at once cannot together pass the cap', async () => {
    const cs = await Promise.all(Array.from({ length: 10 }, (_, i) => counter(`hold${i}`)));
    const psnNo = '53090000000000000077';
    const replies = await Promise.all(cs.map((c, i) => holdPool(c.link, { saleId: `sale-h${i}`, psnNo, year: 2024, amount: '100.00', cap: '600.00' }, 5000)));
    assert.equal(replies.filter((r) => r?.granted).length, 6);
    const fig = await groupPoolFigure(cs[0]!.link, psnNo, 2024);
    assert.deepEqual([fig!.fund, fig!.held], ['0.00', '600.00']);
    // A sale given up returns its hold; the hold of a committed sale ends when its record arrives.
    const grantedAt = replies.findIndex((r) => r?.granted);
    await releaseHold(cs[grantedAt]!.link, `sale-h${grantedAt}`);
    assert.equal((await groupPoolFigure(cs[0]!.link, psnNo, 2024))!.held, '500.00');
    for (const c of cs) c.db.close();
  });

  test('a hold whose record arrives is counted once; an expired hold counts for nothing', async () => {
    const c = await counter('hold-arrive');
    const psnNo = '53090000000000000011';
    settleSale(c.db, { psnNo: '53090000000000000078' });
    const [rec] = journalAfter(c.db, 0, 1);
    await storeHold(pool, { saleId: rec!.settlement.id, counterId: c.link.counterId, psnNo: '53090000000000000078', year: 2024, amount: rec!.settlement.fund, cap: '600.00', ttlSeconds: 600 });
    await pushJournal(c.db, c.link);
    const fig = await groupPoolFigure(c.link, '53090000000000000078', 2024);
    assert.deepEqual([fig!.fund, fig!.held], [rec!.settlement.fund, '0.00']);
    await storeHold(pool, { saleId: 'gone', counterId: c.link.counterId, psnNo, year: 2030, amount: '50.00', cap: '600.00', ttlSeconds: 0 });
    assert.equal((await groupPoolFigure(c.link, psnNo, 2030))!.held, '0.00');
    c.db.close();
  });

  test('a push that skips a record or does not continue the chain is refused', async () => {
    const c = await counter('chain');
    for (let i = 0; i < 3; i++) settleSale(c.db, { psnNo: '53090000000000000090', date: `2024-08-0${i + 1}` });
    const recs = journalAfter(c.db, 0, 10);
    const post = (records: unknown[]) => fetch(`${url}/v1/journal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.link.counterId}:${c.link.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records }),
    });
    const gap = await post([recs[0], recs[2]]);
    assert.equal(gap.status, 409);
    assert.match(((await gap.json()) as { error: { message: string } }).error.message, /hash chain/);
    assert.equal((await post([recs[1]])).status, 409, 'the second record cannot come before the first');
    assert.equal((await post([recs[0]])).status, 200);
    assert.equal((await post([recs[1], recs[2]])).status, 200);
    assert.equal((await journalOfCounter(pool, c.link.counterId)).length, 3);
    c.db.close();
  });

  test('group reports: each member institution as its own counter would print it, and the group summed', async () => {
    const a = await counter('rep-a', 'P53090100031');
    const b = await counter('rep-b', 'H53090100032');
    for (let i = 0; i < 3; i++) settleSale(a.db, { psnNo: '53090000000000000101', date: `2031-08-0${i + 1}`, institutionCode: 'P53090100031' });
    for (let i = 0; i < 2; i++) settleSale(b.db, { type: 'clinic', psnNo: '53090000000000000102', date: `2031-08-1${i + 1}`, institutionCode: 'H53090100032' });
    settleSale(b.db, { type: 'clinic', psnNo: '53090000000000000102', date: '2031-09-01', institutionCode: 'H53090100032' });
    await pushJournal(a.db, a.link);
    await pushJournal(b.db, b.link);
    const { setSetting } = await import('../../core/store/settings.ts');
    const now = new Date('2031-10-01T00:00:00Z');
    const out = await groupReports(pool, 'monthly-residents', '2031-08', { code: 'GROUP1', name: '临翔区医共体' }, now);
    assert.deepEqual(out.members.map((m) => m.code), ['H53090100032', 'P53090100031']);
    for (const [code, c] of [['P53090100031', a], ['H53090100032', b]] as const) {
      const member = out.members.find((m) => m.code === code)!;
      await pullRoster(c.db, c.link); // the counter counts the insured from the roster the hub hands down
      setSetting(c.db, 'institution.code', code);
      setSetting(c.db, 'institution.name', member.name);
      const own = buildReport(c.db, 'monthly-residents', '2031-08', now);
      assert.deepEqual(member.report.tables[0]!.rows, own.tables[0]!.rows, `${code}: the hub's report equals the counter's own`);
    }
    const sum = (k: string) => out.members.reduce((s, m) => s + Math.round(Number(m.report.summary![k]) * 100), 0);
    assert.equal(out.group.summary!['结算笔数'], 5);
    assert.equal(Math.round(Number(out.group.summary!['报销额合计']) * 100), sum('报销额合计'));
    assert.equal(out.group.institution.name, '临翔区医共体');
    a.db.close();
    b.db.close();
  });
});

describe('a standby hub by PostgreSQL streaming replication', { skip }, () => {
  test('records pushed to the primary reach the standby; after promotion a hub on the standby takes pushes', { timeout: 120_000 }, async () => {
    const primary = startPgCluster();
    let standby: PgCluster | null = null;
    const dir = tempDir('lbc-hub-standby-');
    try {
      const p = openHubPool(primary.url());
      await migrateHub(p);
      const secret = randomBytes(18).toString('base64url');
      await addCounter(p, { id: 'sb1', institutionCode: 'P53090100001', name: '柜台', secret });
      const hub1 = createHub({ pool: p });
      const link = { url: `http://127.0.0.1:${await listen(hub1)}`, counterId: 'sb1', secret };
      const db = openDatabase(dir);
      settleSale(db, { date: '2024-08-01' });
      await pushJournal(db, link);

      standby = startStandby(primary);
      const s = openHubPool(standby.url());
      const waitFor = async (n: number) => {
        for (let i = 0; i < 100; i++) {
          if ((await journalOfCounter(s, 'sb1')).length === n) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.fail(`the standby never reached ${n} records`);
      };
      await waitFor(1);
      settleSale(db, { date: '2024-08-02' });
      await pushJournal(db, link);
      await waitFor(2);
      await assert.rejects(s.query("INSERT INTO counters (id, institution_code, name, credential_sha256, dev_no) VALUES ('x', 'y', 'z', 'w', 5)"), /read-only/);

      // The primary is lost; the standby is promoted and a hub process serves from it.
      await new Promise((r) => hub1.close(r));
      await p.end();
      primary.stop();
      standby.promote();
      const hub2 = createHub({ pool: s });
      const link2 = { ...link, url: `http://127.0.0.1:${await listen(hub2)}` };
      settleSale(db, { date: '2024-08-03' });
      const pushed = await pushJournal(db, link2);
      assert.equal(pushed.pushed, 1);
      assert.deepEqual(await journalOfCounter(s, 'sb1'), journalAfter(db, 0, 10));
      db.close();
      await new Promise((r) => hub2.close(r));
      await s.end();
    } finally {
      standby?.stop();
      primary.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
