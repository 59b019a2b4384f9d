// The outbox state machine against the real simulator over loopback:
// pending → sending → acked | rejected | ambiguous → (resolved) … → dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator, type FaultsInput } from '../../core/simulator/index.ts';
import { Uploader, reviveDead, type UploaderOptions } from '../../core/outbox/uploader.ts';
import { getOutbox, messagesOf, statusCounts, getOutboxBySettlement, updateOutbox } from '../../core/store/outbox.ts';
import { standingSettlements } from '../../core/store/simulator.ts';
import { parsePlatformConfig } from '../../core/platform/config.ts';
import { readFileSync } from 'node:fs';
import { BUNDLED_PLATFORM_CONFIG } from '../../core/platform/config.ts';
import type { DB } from '../../core/store/db.ts';
import { reverse } from '../../core/settlement/reverse.ts';

async function setup(faults: FaultsInput = {}, opts: Partial<UploaderOptions> = {}) {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), faults: { holdMs: 1500, ...faults } });
  let clock = Date.parse('2024-08-01T02:00:00Z');
  // hints: our simulator opts in to the hint node (the national default is off), so its split equals ours.
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 400, now: () => clock, random: () => 0.5, backoffBaseMs: 1000, hints: true, ...opts });
  return {
    db,
    sim,
    up,
    advance(ms: number) {
      clock += ms;
    },
    async done() {
      up.close();
      await sim.close();
    },
  };
}

function status(db: DB, settlementId: string) {
  return getOutboxBySettlement(db, settlementId)!;
}

test('pending → sending → acked: the platform split is stored next to ours, the simulator holds it once', async () => {
  const t = await setup();
  try {
    const rec = settleSale(t.db);
    assert.equal(status(t.db, rec.id).status, 'pending');
    const seen: string[] = [];
    const orig = t.up.client.send.bind(t.up.client);
    t.up.client.send = (...args) => {
      seen.push(status(t.db, rec.id).status);
      return orig(...args);
    };
    const r = await t.up.cycle();
    assert.deepEqual(seen, ['pending', 'sending'], 'the 9001 sign-in goes first; the row is marked sending (committed) before its request goes out');
    assert.equal(r.acked, 1);
    const row = status(t.db, rec.id);
    assert.equal(row.status, 'acked');
    assert.ok(row.setl_id);
    const p = t.db.prepare('SELECT * FROM platform_settlement WHERE settlement_id = ?').get(rec.id) as { fund_pay_sumamt: string; medfee_sumamt: string };
    assert.equal(p.fund_pay_sumamt, rec.fund);
    assert.equal(p.medfee_sumamt, rec.total);
    const standing = standingSettlements(t.sim.db);
    assert.equal(standing.length, 1);
    assert.equal(standing[0]!.medins_setl_id, rec.id);
    const msg = messagesOf(t.db, row.id)[0]!;
    assert.equal(JSON.parse(msg.reply_json!).output.setlinfo.medins_setl_id, msg.msgid, 'medins_setl_id holds the sender\'s msgid');
    const sent = JSON.parse(msg.request_json!);
    const signIn = t.db.prepare('SELECT * FROM platform_sign_in').all() as { sign_no: string; operator_id: string }[];
    assert.equal(signIn.length, 1);
    assert.equal(sent.sign_no, signIn[0]!.sign_no, 'the 2102 carries the 9001 sign_no');
    assert.deepEqual(t.sim.paths(), { '/fsi/api/rsfComIfsService/callService': 2 }, 'the 9001 and the 2102, both posted to the region\'s configured gateway path');
  } finally {
    await t.done();
  }
});

test('a business refusal is rejected with the platform reason and never retried', async () => {
  const t = await setup({ refusePsnNo: ['REFUSED0001'] });
  try {
    const bad = settleSale(t.db, { psnNo: 'REFUSED0001' });
    const good = settleSale(t.db);
    await t.up.drainOnce();
    const row = status(t.db, bad.id);
    assert.equal(row.status, 'rejected');
    assert.match(row.reject_reason!, /参保状态异常/);
    assert.equal(row.reject_code, '2102');
    assert.equal(status(t.db, good.id).status, 'acked');
    const before = t.sim.stats().messages;
    t.advance(3600_000);
    const r = await t.up.drainOnce();
    assert.equal(r.picked, 0, 'a rejected row is not picked again');
    assert.equal(t.sim.stats().messages, before);
  } finally {
    await t.done();
  }
});

for (const fault of ['dropReply', 'timeoutAfterCommit', 'truncated', 'malformed', 'duplicateReply'] as const) {
  test(`${fault} after the platform committed → ambiguous, resolved by 2601 冲正 before anything else is sent; acknowledged exactly once`, async () => {
    const t = await setup({ once: [{ fault, infno: '2102' }] });
    try {
      const rec = settleSale(t.db);
      const r1 = await t.up.cycle();
      assert.equal(r1.ambiguous, 1);
      let row = status(t.db, rec.id);
      assert.equal(row.status, 'ambiguous');
      assert.equal(row.maybe_delivered, 1);
      assert.ok(row.next_attempt_at > Date.parse('2024-08-01T02:00:00Z'), 'backs off');
      assert.equal((await t.up.cycle()).picked, 0, 'not retried before its backoff');
      t.advance(60_000);
      const r2 = await t.up.cycle();
      assert.equal(r2.resolved, 1);
      const first = messagesOf(t.db, row.id)[0]!;
      const reversal = (t.sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '2601'`).all() as { request_json: string }[]).map((m) => JSON.parse(m.request_json).input.data);
      assert.deepEqual(reversal, [{ psn_no: rec.patient.psnNo, omsgid: first.msgid, oinfno: '2102' }], '2601 carries {psn_no, omsgid, oinfno}');
      await t.up.drainOnce();
      row = status(t.db, rec.id);
      assert.equal(row.status, 'acked');
      const msgs = messagesOf(t.db, row.id);
      assert.deepEqual(msgs.map((m) => m.status), ['reversed', 'acked'], 'the committed message was 冲正 and the sale settled under a new msgid');
      assert.equal((t.db.prepare('SELECT count(*) AS n FROM platform_settlement WHERE settlement_id = ?').get(rec.id) as { n: number }).n, 1, 'acknowledged exactly once');
      assert.equal(standingSettlements(t.sim.db).length, 1, 'the platform holds it once');
      assert.equal(standingSettlements(t.sim.db)[0]!.msgid, msgs[1]!.msgid);
    } finally {
      await t.done();
    }
  });
}

test('a configured 5203 is sent only with its real input {psn_no, setl_id, mdtrt_id}: a reversal whose reply was lost is looked up and, still standing, resent as it was', async () => {
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.defaults.ambiguity.query = { infno: '5203', input: ['psn_no', 'setl_id', 'mdtrt_id'] };
  const t = await setup({}, { config: parsePlatformConfig(raw, 'test') });
  try {
    const sale = settleSale(t.db);
    await t.up.drainOnce();
    const setlId = status(t.db, sale.id).setl_id!;
    t.sim.setFaults({ holdMs: 1500, once: [{ fault: 'error5xx', infno: '2103' }] });
    const rev = reverse(t.db, { settlementId: sale.id, operator: { id: 'op01', name: '李药师' }, reason: '退药' });
    await t.up.drainOnce();
    assert.equal(status(t.db, rev.id).status, 'ambiguous');
    t.advance(60_000);
    await t.up.drainOnce();
    const q = (t.sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '5203'`).all() as { request_json: string }[]).map((m) => JSON.parse(m.request_json).input.data);
    assert.deepEqual(q, [{ psn_no: sale.patient.psnNo, setl_id: setlId, mdtrt_id: setlId }]);
    assert.equal((t.sim.db.prepare(`SELECT count(*) AS n FROM sim_message WHERE infno = '2601'`).get() as { n: number }).n, 0, 'no 冲正 needed: the settlement still stood');
    assert.equal(status(t.db, rev.id).status, 'acked');
    assert.equal(messagesOf(t.db, status(t.db, rev.id).id).length, 1, 'resent under its own msgid');
    assert.equal(standingSettlements(t.sim.db).length, 0);
  } finally {
    await t.done();
  }
});

test('a 5xx before processing → ambiguous → the query says unknown → 2601 then a new msgid → acked once; the old msgid is refused if it turns up', async () => {
  const t = await setup({ once: [{ fault: 'error5xx', infno: '2102' }] });
  try {
    const rec = settleSale(t.db);
    await t.up.cycle();
    assert.equal(status(t.db, rec.id).status, 'ambiguous');
    t.advance(60_000);
    const r = await t.up.cycle();
    assert.equal(r.resolved, 1);
    const row = status(t.db, rec.id);
    assert.equal(row.status, 'pending');
    const msgs = messagesOf(t.db, row.id);
    assert.deepEqual(msgs.map((m) => m.status), ['reversed', 'planned']);
    assert.notEqual(msgs[0]!.msgid, msgs[1]!.msgid);
    await t.up.drainOnce();
    assert.equal(status(t.db, rec.id).status, 'acked');
    assert.equal(standingSettlements(t.sim.db).length, 1);
    // The first attempt arriving late (a slow proxy) is refused: 2601 tombstoned its msgid.
    const late = JSON.parse(msgs[0]!.request_json!);
    const res = await fetch(t.sim.url, { method: 'POST', body: JSON.stringify(late) });
    const body = (await res.json()) as { infcode: number; err_msg: string };
    assert.equal(body.infcode, -1);
    assert.match(body.err_msg, /冲正/);
    assert.equal(standingSettlements(t.sim.db).length, 1);
  } finally {
    await t.done();
  }
});

test('without a query transaction (region config), an unknown outcome is reversed with 2601 and resent: still exactly once', async () => {
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.defaults.ambiguity.query = null;
  const t = await setup({ once: [{ fault: 'dropReply', infno: '2102' }] }, { config: parsePlatformConfig(raw, 'test') });
  try {
    const rec = settleSale(t.db);
    await t.up.cycle();
    t.advance(60_000);
    await t.up.drainOnce();
    assert.equal(status(t.db, rec.id).status, 'acked');
    const all = t.sim.db.prepare(`SELECT active, reversed_by FROM sim_settlement WHERE kind = 'settle'`).all() as { active: number }[];
    assert.equal(all.length, 2, 'the first (committed, reply lost) was 冲正 and the resend settled anew');
    assert.equal(standingSettlements(t.sim.db).length, 1);
  } finally {
    await t.done();
  }
});

test('a resent msgid is recognised by the platform ("the same message") and never settles twice', async () => {
  const t = await setup();
  try {
    const rec = settleSale(t.db);
    await t.up.cycle();
    const msg = messagesOf(t.db, status(t.db, rec.id).id)[0]!;
    const res = await fetch(t.sim.url, { method: 'POST', body: msg.request_json! });
    const body = (await res.json()) as { infcode: number; warn_msg: string; output: { setlinfo: { setl_id: string } } };
    assert.equal(body.infcode, 0);
    assert.match(body.warn_msg, /重复报文/);
    assert.equal(body.output.setlinfo.setl_id, status(t.db, rec.id).setl_id);
    // A new msgid carrying the same business key (our settlement id) is deduplicated too.
    const again = { ...JSON.parse(msg.request_json!), msgid: msg.msgid.slice(0, 26) + '9999' };
    const b2 = (await (await fetch(t.sim.url, { method: 'POST', body: JSON.stringify(again) })).json()) as { warn_msg: string; output: { setlinfo: { setl_id: string } } };
    assert.match(b2.warn_msg, /already settled/);
    assert.equal(b2.output.setlinfo.setl_id, status(t.db, rec.id).setl_id);
    assert.equal(t.sim.stats().settlements, 1);
  } finally {
    await t.done();
  }
});

test('platform unreachable: not delivered → pending with exponential backoff; after N failures → dead (kept, revivable)', async () => {
  const { db } = openTemp();
  let clock = 1_000_000;
  const up = new Uploader(db, { endpoint: 'http://127.0.0.1:9/', timeoutMs: 300, now: () => clock, random: () => 1, backoffBaseMs: 1000, maxFailures: 3 });
  try {
    const rec = settleSale(db);
    await up.cycle();
    let row = status(db, rec.id);
    assert.equal(row.status, 'pending');
    assert.equal(row.failures, 1);
    assert.equal(row.maybe_delivered, 0, 'a refused connection never reached the platform');
    assert.equal(row.next_attempt_at, clock + 1000);
    clock += 1000;
    await up.cycle();
    row = status(db, rec.id);
    assert.equal(row.next_attempt_at, clock + 2000, 'doubles');
    clock += 2000;
    await up.cycle();
    row = status(db, rec.id);
    assert.equal(row.status, 'dead');
    assert.match(row.last_error!, /ECONNREFUSED/);
    assert.equal(statusCounts(db).dead, 1);
    clock += 3600_000;
    assert.equal((await up.cycle()).picked, 0, 'dead rows wait for the operator');
    assert.equal(reviveDead(db, undefined, clock), 1);
    assert.equal(status(db, rec.id).status, 'pending');
    assert.equal(status(db, rec.id).failures, 0);
  } finally {
    up.close();
  }
});

test('no head-of-line blocking: a row in backoff does not hold back the rows after it', async () => {
  const t = await setup({ once: [{ fault: 'error5xx', infno: '2102' }] });
  try {
    const first = settleSale(t.db);
    const rest = [settleSale(t.db), settleSale(t.db), settleSale(t.db)];
    await t.up.cycle(); // the first fails (5xx), the others are acked in the same batch
    await t.up.drainOnce();
    assert.equal(status(t.db, first.id).status, 'ambiguous');
    for (const r of rest) assert.equal(status(t.db, r.id).status, 'acked');
    const more = settleSale(t.db);
    await t.up.drainOnce();
    assert.equal(status(t.db, more.id).status, 'acked', 'a sale made later overtakes the stuck one');
    t.advance(60_000);
    await t.up.drainOnce();
    await t.up.drainOnce();
    assert.equal(status(t.db, first.id).status, 'acked');
    assert.equal(standingSettlements(t.sim.db).length, 5);
  } finally {
    await t.done();
  }
});

test('a crash while sending leaves rows "sending"; the next uploader treats them as ambiguous and resolves them', async () => {
  const t = await setup();
  try {
    const rec = settleSale(t.db);
    // What a SIGKILL between "mark sending" and "apply outcome" leaves behind (after the platform got it).
    await t.up.cycle();
    const row = status(t.db, rec.id);
    updateOutbox(t.db, row.id, { status: 'sending', step: 0, setl_id: null, chain_setl_id: null, acked_at: null });
    t.db.prepare(`UPDATE outbox_message SET status = 'sending', reply_json = NULL WHERE outbox_id = ?`).run(row.id);
    t.db.prepare('DELETE FROM platform_settlement').run();
    const fresh = new Uploader(t.db, { endpoint: t.sim.url, timeoutMs: 400 });
    try {
      assert.equal(fresh.recover(), 1);
      assert.equal(getOutbox(t.db, row.id)!.status, 'ambiguous');
      await fresh.drainOnce();
      assert.equal(getOutbox(t.db, row.id)!.status, 'acked');
      assert.equal(t.sim.stats().standing, 1, 'the interrupted message was 冲正 and settled again: one standing settlement');
      assert.equal(t.sim.stats().settlements, 2);
    } finally {
      fresh.close();
    }
  } finally {
    await t.done();
  }
});

test('a clinic sale walks 2201 → 2203 → 2204 → 2207, one message per step, and the visit id flows into later steps', async () => {
  const t = await setup({ once: [{ fault: 'dropReply', infno: '2204' }] });
  try {
    const rec = settleSale(t.db, { type: 'clinic' });
    await t.up.drainOnce();
    t.advance(60_000);
    await t.up.drainOnce();
    const row = status(t.db, rec.id);
    assert.equal(row.status, 'acked');
    assert.match(row.mdtrt_id!, /^MD/);
    const msgs = messagesOf(t.db, row.id);
    assert.deepEqual(msgs.map((m) => `${m.infno}:${m.status}`), ['2201:acked', '2203:acked', '2204:acked', '2207:acked']);
    const fees = JSON.parse(msgs[2]!.request_json!);
    assert.equal(fees.input.feedetail[0].mdtrt_id, row.mdtrt_id);
    assert.equal(standingSettlements(t.sim.db).length, 1);
    assert.equal(standingSettlements(t.sim.db)[0]!.fund_pay_sumamt, rec.fund);
  } finally {
    await t.done();
  }
});
