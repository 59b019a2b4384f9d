// 9001 签到 per operator per day before any business message, its sign_no cached in the store and
// sent on every later message; 9002 at sign-out; a sign_no the platform no longer accepts leads to
// exactly one new sign-in, and a platform that refuses every sign_no never makes the uploader loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, saleInput, settleSale, tempDir } from '../helpers/settlement.ts';
import { settle } from '../../core/settlement/settle.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement, messagesOf, openSignIns } from '../../core/store/outbox.ts';
import type { SimDB } from '../../core/store/simulator.ts';

const received = (sim: SimDB) => sim.prepare('SELECT infno, request_json FROM sim_message ORDER BY rowid').all() as { infno: string; request_json: string }[];
const count9001 = (sim: SimDB) => (sim.prepare(`SELECT count(*) AS n FROM sim_message WHERE infno = '9001'`).get() as { n: number }).n;

test('one 9001 per operator and day precedes every business message; each message carries its sign_no; 9002 closes it', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000 });
  try {
    const a = [settleSale(db), settleSale(db, { type: 'clinic' }), settleSale(db)];
    const other = settle(db, { ...saleInput(), operator: { id: 'op02', name: '王药师' } });
    await up.drainOnce();
    for (const s of [...a, other]) assert.equal(getOutboxBySettlement(db, s.id)!.status, 'acked');
    const msgs = received(sim.db);
    assert.equal(msgs[0]!.infno, '9001', 'the first message of the day is a sign-in');
    const signIns = msgs.filter((m) => m.infno === '9001').map((m) => JSON.parse(m.request_json) as { opter: string; sign_no: string; input: { signIn: { opter_no: string; ip: string } } });
    assert.deepEqual(signIns.map((s) => s.input.signIn.opter_no).sort(), ['op01', 'op01', 'op02'], 'one per operator and institution (the clinic is another institution)');
    for (const s of signIns) assert.equal(s.sign_no, '', '9001 itself goes without a sign_no');
    const stored = db.prepare('SELECT operator_id, fixmedins_code, sign_no FROM platform_sign_in').all() as { operator_id: string; fixmedins_code: string; sign_no: string }[];
    for (const m of msgs.filter((x) => x.infno !== '9001')) {
      const env = JSON.parse(m.request_json) as { opter: string; fixmedins_code: string; sign_no: string };
      const mine = stored.find((s) => s.operator_id === env.opter && s.fixmedins_code === env.fixmedins_code);
      assert.ok(mine, `${m.infno} from ${env.opter}`);
      assert.equal(env.sign_no, mine.sign_no, `${m.infno} carries the operator's sign_no`);
    }
    // Later sales the same day reuse the cached sign_no.
    settleSale(db);
    await up.drainOnce();
    assert.equal(count9001(sim.db), 3);
    assert.equal(await up.signOut('op01'), 2);
    const out = received(sim.db).filter((m) => m.infno === '9002').map((m) => JSON.parse(m.request_json).input.signOut.sign_no);
    assert.deepEqual(out.sort(), stored.filter((s) => s.operator_id === 'op01').map((s) => s.sign_no).sort());
    assert.equal(openSignIns(db, 'op01').length, 0);
    assert.equal(openSignIns(db).length, 1, "the other operator's session stays open");
    // After sign-out the next sale signs in again.
    settleSale(db);
    await up.drainOnce();
    assert.equal(count9001(sim.db), 4);
  } finally {
    up.close();
    await sim.close();
  }
});

test('a sign_no the platform has expired triggers exactly one new 9001, then the same message goes through', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, concurrency: 4 });
  try {
    settleSale(db);
    await up.drainOnce();
    assert.equal(count9001(sim.db), 1);
    sim.expireSignIns();
    const next = [settleSale(db), settleSale(db), settleSale(db)];
    await up.drainOnce();
    for (const s of next) {
      const row = getOutboxBySettlement(db, s.id)!;
      assert.equal(row.status, 'acked');
      assert.equal(messagesOf(db, row.id).length, 1, 'the refused message is sent again under its own msgid');
    }
    assert.equal(count9001(sim.db), 2, 'one re-sign-in shared by the three refused messages');
  } finally {
    up.close();
    await sim.close();
  }
});

test('a platform that refuses every sign_no: one re-sign-in per attempt, the sale waits with its reason, no loop', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), faults: { refuseSignNo: true } });
  let clock = Date.parse('2024-08-01T02:00:00Z');
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, now: () => clock, random: () => 0.5, maxFailures: 3 });
  try {
    const sale = settleSale(db);
    const r = await up.drainOnce();
    assert.equal(r.acked, 0);
    assert.equal(count9001(sim.db), 2, 'the first sign-in and exactly one more');
    let row = getOutboxBySettlement(db, sale.id)!;
    assert.equal(row.status, 'pending');
    assert.match(row.last_error!, /sign_no refused again/);
    assert.equal(row.maybe_delivered, 0, 'a refused session is not an unknown outcome');
    for (let i = 0; i < 2; i++) {
      clock += 600_000;
      await up.drainOnce();
    }
    row = getOutboxBySettlement(db, sale.id)!;
    assert.equal(row.status, 'dead', 'after the failure limit it waits for the operator');
    assert.equal(count9001(sim.db), 4, 'the first sign-in, then exactly one re-sign-in per attempt (three attempts): bounded');
    assert.equal(sim.stats().settlements, 0);
  } finally {
    up.close();
    await sim.close();
  }
});
