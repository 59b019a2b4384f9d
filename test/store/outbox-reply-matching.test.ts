// Every reply is matched to the message it answers (medins_setl_id holds the sender's msgid, the
// person, the total, the platform's own reply id): a reply for another sale is an unknown outcome,
// never an ack. An unknown outcome the platform will not 冲正 becomes an operator task naming the
// message, never a silent 'dead'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement, messagesOf } from '../../core/store/outbox.ts';
import { standingSettlements } from '../../core/store/simulator.ts';
import type { DB } from '../../core/store/db.ts';

const row = (db: DB, id: string) => getOutboxBySettlement(db, id)!;
const platformRows = (db: DB, id: string) => (db.prepare('SELECT count(*) AS n FROM platform_settlement WHERE settlement_id = ?').get(id) as { n: number }).n;

test("one sale's reply replayed for two other sales: neither is acked, nothing is recorded for them; after 2601 and a resend all three stand once", async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  let clock = Date.parse('2024-08-01T02:00:00Z');
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, now: () => clock, random: () => 0.5, concurrency: 1 });
  try {
    const first = settleSale(db, { psnNo: 'P0000000000000000001' });
    await up.drainOnce();
    assert.equal(row(db, first.id).status, 'acked');
    sim.setFaults({ replayReplies: 2 });
    const others = [settleSale(db, { psnNo: 'P0000000000000000002' }), settleSale(db, { psnNo: 'P0000000000000000003' })];
    const r = await up.drainOnce();
    assert.equal(r.acked, 0, 'a replayed reply is never an ack');
    for (const o of others) {
      const got = row(db, o.id);
      assert.equal(got.status, 'ambiguous');
      assert.match(got.last_error!, /does not answer|already answered/);
      assert.equal(got.setl_id, null);
      assert.equal(platformRows(db, o.id), 0, 'no platform settlement recorded from another sale\'s reply');
    }
    assert.equal(platformRows(db, first.id), 1);
    clock += 60_000;
    await up.drainOnce();
    await up.drainOnce();
    for (const o of [first, ...others]) {
      assert.equal(row(db, o.id).status, 'acked');
      assert.equal(platformRows(db, o.id), 1);
    }
    assert.deepEqual(messagesOf(db, row(db, others[0]!.id).id).map((m) => m.status), ['reversed', 'acked']);
    assert.equal(standingSettlements(sim.db).length, 3);
  } finally {
    up.close();
    await sim.close();
  }
});

/** An endpoint that answers sign-in and otherwise replies with a fixed settlement body. */
async function fixedReplier(body: (req: Record<string, any>) => unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const env = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
      const out = env.infno === '9001' ? { infcode: 0, inf_refmsgid: `R${env.msgid}`, output: { signinoutb: { sign_time: '2024-08-01 08:00:00', sign_no: 'SN1' } } } : body(env);
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const setlinfo = (env: Record<string, any>, over: Record<string, unknown> = {}) => ({
  setl_id: 'ST1',
  mdtrt_id: 'ST1',
  psn_no: env.input.druginfo.psn_no,
  setl_time: '2024-08-01 10:00:00',
  medfee_sumamt: env.input.druginfo.medfee_sumamt,
  hifp_pay: '1.00',
  fund_pay_sumamt: '1.00',
  psn_part_amt: '0.00',
  psn_cash_pay: '0.00',
  acct_pay: '0.00',
  medins_setl_id: env.msgid,
  ...over,
});

for (const [what, over, why] of [
  ['another message\'s msgid in medins_setl_id', (env: Record<string, any>) => ({ medins_setl_id: `${env.msgid.slice(0, 26)}9999` }), /medins_setl_id/],
  ['another person', () => ({ psn_no: 'SOMEONE-ELSE' }), /psn_no/],
  ['another total', () => ({ medfee_sumamt: '999.99' }), /medfee_sumamt/],
  ['a split larger than the total', (env: Record<string, any>) => ({ fund_pay_sumamt: String(Number(env.input.druginfo.medfee_sumamt) + 1) }), /exceeds/],
] as const) {
  test(`a settlement reply with ${what} is ambiguous, not an ack`, async () => {
    const { db } = openTemp();
    const s = await fixedReplier((env) => {
      const info = setlinfo(env, over(env));
      const total = Number(info.medfee_sumamt);
      const fund = Number(info.fund_pay_sumamt);
      return { infcode: 0, inf_refmsgid: `R${env.msgid}`, output: { setlinfo: { ...info, psn_part_amt: (total - fund).toFixed(2), psn_cash_pay: (total - fund).toFixed(2) }, setldetail: [] } };
    });
    const up = new Uploader(db, { endpoint: s.url, timeoutMs: 2000, random: () => 0.5 });
    try {
      const sale = settleSale(db);
      const r = await up.cycle();
      assert.equal(r.acked, 0);
      assert.equal(row(db, sale.id).status, 'ambiguous');
      assert.match(row(db, sale.id).last_error!, why);
      assert.equal(platformRows(db, sale.id), 0);
    } finally {
      up.close();
      await s.close();
    }
  });
}

test('the same reply body (same inf_refmsgid) for two messages acks only the first', async () => {
  const { db } = openTemp();
  const s = await fixedReplier((env) => ({ infcode: 0, inf_refmsgid: '530900202408011000000000000001', output: { setlinfo: setlinfo(env, { fund_pay_sumamt: '0.00', hifp_pay: '0.00', psn_part_amt: env.input.druginfo.medfee_sumamt, psn_cash_pay: env.input.druginfo.medfee_sumamt }), setldetail: [] } }));
  const up = new Uploader(db, { endpoint: s.url, timeoutMs: 2000, random: () => 0.5, concurrency: 1 });
  try {
    const a = settleSale(db);
    const b = settleSale(db);
    await up.drainOnce();
    assert.equal(row(db, a.id).status, 'acked');
    assert.equal(row(db, b.id).status, 'ambiguous');
    assert.match(row(db, b.id).last_error!, /already answered message/);
  } finally {
    up.close();
    await s.close();
  }
});

test('an unknown outcome whose 2601 the platform refuses becomes an operator task naming the message (dead, maybe delivered), not a loop', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), faults: { once: [{ fault: 'dropReply', infno: '2102' }], refuseInfno: ['2601'] } });
  let clock = Date.parse('2024-08-01T02:00:00Z');
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, now: () => clock, random: () => 0.5 });
  try {
    const sale = settleSale(db);
    await up.cycle();
    assert.equal(row(db, sale.id).status, 'ambiguous');
    clock += 60_000;
    await up.drainOnce();
    const got = row(db, sale.id);
    assert.equal(got.status, 'dead');
    assert.equal(got.maybe_delivered, 1);
    const msg = messagesOf(db, got.id)[0]!;
    assert.ok(got.last_error!.includes(msg.msgid), 'the task names the message');
    assert.match(got.last_error!, /2601 冲正 refused: 交易 2601 暂不受理/);
    clock += 3600_000;
    assert.equal((await up.drainOnce()).picked, 0, 'waits for the operator, not retried blindly');
  } finally {
    up.close();
    await sim.close();
  }
});
