// Day close when 3201 does not balance: a day with a reversal, a settlement the platform lost and
// one it kept although we had 冲正'd it goes through 3202 明细对账 (detail rows uploaded with 9101);
// the lost one is re-sent, the kept one reversed with 2601, each repair an immutable record, and
// the next close balances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { closeDay } from '../../core/outbox/dayclose.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { getOutboxBySettlement, messagesOf, repairsOf } from '../../core/store/outbox.ts';
import { standingSettlements } from '../../core/store/simulator.ts';

test('3201 unbalanced → 3202 finds the lost and the kept settlement → re-send and 2601 → the day balances', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), faults: { once: [{ fault: 'dropReply', infno: '2102' }] } });
  let clock = Date.parse('2024-08-01T02:00:00Z');
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, now: () => clock, random: () => 0.5 });
  try {
    // Sale K: its first message is committed but the reply lost → 2601 and a resend (two msgids).
    const kept = settleSale(db, { psnNo: 'P0000000000000000001' });
    await up.drainOnce();
    clock += 60_000;
    await up.drainOnce();
    const [undone, standing] = messagesOf(db, getOutboxBySettlement(db, kept.id)!.id);
    assert.equal(undone!.status, 'reversed');
    assert.equal(standing!.status, 'acked');
    // Sale L will be lost by the platform; sale R is reversed in full (a reversal on the day).
    const lost = settleSale(db, {
      psnNo: 'P0000000000000000002',
      lines: [
        { id: 'a', price: '0.15', quantity: '56', vbp: true, paymentStandard: '0.15' },
        { id: 'b', price: '35.50', quantity: '1', paymentStandard: '30.00' },
      ],
    });
    const reversed = settleSale(db, { psnNo: 'P0000000000000000003' });
    await up.drainOnce();
    reverse(db, { settlementId: reversed.id, operator: { id: 'op01', name: '李药师' }, reason: '退药' });
    await up.drainOnce();
    for (const s of [kept, lost, reversed]) assert.equal(getOutboxBySettlement(db, s.id)!.status, 'acked');
    // Injected faults on the platform's side: L disappears; K's 冲正'd first settlement comes back.
    const lostSetl = getOutboxBySettlement(db, lost.id)!.setl_id!;
    sim.db.prepare('UPDATE sim_settlement SET active = 0 WHERE setl_id = ?').run(lostSetl);
    sim.db.prepare(`UPDATE sim_settlement SET active = 1, medins_setl_id = 'kept-again' WHERE msgid = ?`).run(undone!.msgid);
    sim.db.prepare(`UPDATE sim_message SET status = 'done' WHERE msgid = ?`).run(undone!.msgid); // its 2601 never took effect
    const first = await closeDay(db, { date: '2024-08-01', endpoint: sim.url });
    assert.equal(first.balanced, false);
    const kinds = first.repairs.map((r) => `${r.kind}:${r.stmt_rslt}`).sort();
    assert.deepEqual(kinds, ['resend:2', 'reverse:1']);
    assert.equal(first.repairs.find((r) => r.kind === 'resend')!.setl_id, lostSetl);
    assert.equal(first.repairs.find((r) => r.kind === 'reverse')!.msgid, undone!.msgid);
    const reversals = (sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '2601'`).all() as { request_json: string }[]).map((m) => JSON.parse(m.request_json).input.data.omsgid);
    assert.ok(reversals.filter((m) => m === undone!.msgid).length >= 2, 'the kept message was 冲正 again');
    assert.equal((sim.db.prepare(`SELECT count(*) AS n FROM sim_message WHERE infno = '9101'`).get() as { n: number }).n, 1, 'the detail rows went up as a 9101 file');
    // Repairs are immutable records.
    assert.throws(() => db.prepare(`UPDATE day_close_repair SET detail = 'x'`).run(), /never edited/);
    assert.throws(() => db.prepare(`DELETE FROM day_close_repair`).run(), /never deleted/);
    // The re-send waits in the outbox (the day cannot close until it is up), then goes.
    assert.equal(getOutboxBySettlement(db, lost.id)!.status, 'pending');
    await assert.rejects(closeDay(db, { date: '2024-08-01', endpoint: sim.url }), /not final/);
    await up.drainOnce();
    assert.equal(getOutboxBySettlement(db, lost.id)!.status, 'acked');
    assert.notEqual(getOutboxBySettlement(db, lost.id)!.setl_id, lostSetl);
    assert.equal(standingSettlements(sim.db).length, 2, 'K and L stand once each; R is reversed');
    const second = await closeDay(db, { date: '2024-08-01', endpoint: sim.url });
    assert.equal(second.balanced, true, JSON.stringify(second.groups));
    assert.equal(second.groups[0]!.count, 2);
    assert.equal(repairsOf(db, '2024-08-01').length, 2);
  } finally {
    up.close();
    await sim.close();
  }
});
