// Reversals and partial returns are new reversing records through the outbox: a local cancel
// before upload, 2103/2208 after one; variances; day close refused, then allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator, type FaultsInput } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { closeDay, DayNotReadyError } from '../../core/outbox/dayclose.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';
import { getOutboxBySettlement, listVariances, messagesOf, dayCloses } from '../../core/store/outbox.ts';
import { standingSettlements } from '../../core/store/simulator.ts';
import { usedThisYear } from '../../core/store/ledger.ts';
import { InputError } from '../../core/contract/problems.ts';
import { Decimal, fen } from '../../core/money/decimal.ts';
import type { DB } from '../../core/store/db.ts';

const op = { id: 'op02', name: '王收费' };
const PSN = '53090000000000000001';

async function setup(faults: FaultsInput = {}) {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), faults });
  // hints: our simulator opts in to the hint node (off by default), so its split is computed from the same facts.
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 400, random: () => 0, hints: true });
  return { db, sim, up, done: async () => (up.close(), await sim.close()) };
}

const st = (db: DB, id: string) => getOutboxBySettlement(db, id)!;
const sum = (xs: string[]) => fen(xs.reduce((a, x) => a.plus(new Decimal(x)), new Decimal(0)));

test('a full reversal before upload is a local cancel: nothing reaches the platform, the ledger nets to zero', async () => {
  const t = await setup();
  try {
    const sale = settleSale(t.db);
    const rev = reverse(t.db, { settlementId: sale.id, operator: op, reason: '患者不要了' });
    assert.equal(rev.kind, 'reversal');
    assert.equal(rev.total, fen(new Decimal(sale.total).negated()));
    assert.equal(rev.fund, fen(new Decimal(sale.fund).negated()));
    assert.match(rev.receiptNo, /^T20240801/);
    assert.equal(st(t.db, sale.id).status, 'cancelled');
    assert.equal(st(t.db, rev.id).status, 'cancelled');
    assert.equal(usedThisYear(t.db, PSN, '2024-08-01'), '0.00');
    await t.up.drainOnce();
    assert.equal(t.sim.stats().messages, 0);
    assert.equal(verifyJournal(t.db).ok, true);
    assert.throws(() => reverse(t.db, { settlementId: sale.id, operator: op, reason: 'again' }), (e: unknown) => e instanceof InputError && e.code === 'ALREADY_REVERSED');
  } finally {
    await t.done();
  }
});

test('a full reversal after upload goes out as 2103 with the platform setl_id; nothing stands on the platform afterwards', async () => {
  const t = await setup();
  try {
    const sale = settleSale(t.db);
    await t.up.drainOnce();
    const setlId = st(t.db, sale.id).setl_id!;
    const rev = reverse(t.db, { settlementId: sale.id, operator: op, reason: '退药' });
    assert.equal(st(t.db, rev.id).status, 'pending');
    await t.up.drainOnce();
    const row = st(t.db, rev.id);
    assert.equal(row.status, 'acked');
    const msg = messagesOf(t.db, row.id)[0]!;
    assert.equal(msg.infno, '2103');
    assert.equal(JSON.parse(msg.request_json!).input.data.setl_id, setlId);
    assert.equal(standingSettlements(t.sim.db).length, 0);
    assert.equal(listVariances(t.db).length, 0, 'the chain nets to zero on both sides');
  } finally {
    await t.done();
  }
});

test('a reversal waits for its sale: while the sale is ambiguous nothing else is sent for it, then 2208 follows (clinic)', async () => {
  const t = await setup({ once: [{ fault: 'dropReply', infno: '2207' }] });
  try {
    const sale = settleSale(t.db, { type: 'clinic' });
    await t.up.drainOnce();
    assert.equal(st(t.db, sale.id).status, 'ambiguous');
    const rev = reverse(t.db, { settlementId: sale.id, operator: op, reason: '开错药' });
    assert.equal(st(t.db, rev.id).depends_on, st(t.db, sale.id).id);
    const r = await t.up.drainOnce();
    assert.equal(r.picked, 0, 'the reversal is held back until the sale is resolved (and the sale waits for its backoff)');
    t.db.prepare('UPDATE outbox SET next_attempt_at = 0').run();
    await t.up.drainOnce();
    await t.up.drainOnce();
    assert.equal(st(t.db, sale.id).status, 'acked');
    assert.equal(st(t.db, rev.id).status, 'acked');
    assert.deepEqual(messagesOf(t.db, st(t.db, rev.id).id).map((m) => m.infno), ['2208']);
    assert.equal(standingSettlements(t.sim.db).length, 0);
  } finally {
    await t.done();
  }
});

test('a partial return after upload: 2103 undoes the settlement, the kept lines are settled again; totals agree to the fen', async () => {
  const t = await setup();
  try {
    const sale = settleSale(t.db);
    await t.up.drainOnce();
    const ret = reverse(t.db, { settlementId: sale.id, lines: ['b'], operator: op, reason: '缬沙坦退一盒' });
    assert.equal(ret.kind, 'return');
    assert.equal(ret.lines.length, 1);
    assert.equal(ret.lines[0]!.quantity, '-2');
    assert.equal(ret.lines[0]!.reversesLineId, sale.lines[1]!.id);
    await t.up.drainOnce();
    const row = st(t.db, ret.id);
    assert.equal(row.status, 'acked');
    assert.deepEqual(messagesOf(t.db, row.id).map((m) => m.infno), ['2103', '2102']);
    const standing = standingSettlements(t.sim.db);
    assert.equal(standing.length, 1);
    assert.equal(standing[0]!.medins_setl_id, ret.id);
    assert.equal(standing[0]!.medfee_sumamt, sale.lines[0]!.total);
    assert.equal(standing[0]!.fund_pay_sumamt, sum([sale.fund, ret.fund]));
    assert.equal(usedThisYear(t.db, PSN, '2024-08-01'), sum([sale.fund, ret.fund]));
    assert.equal(listVariances(t.db).length, 0);
    // The same line cannot be returned twice; the rest can, and the platform ends with nothing.
    assert.throws(() => reverse(t.db, { settlementId: sale.id, lines: ['b'], operator: op, reason: 'x' }), (e: unknown) => e instanceof InputError && e.code === 'LINE_ALREADY_RETURNED');
    const last = reverse(t.db, { settlementId: sale.id, lines: ['a'], operator: op, reason: '全部退' });
    assert.equal(last.kind, 'reversal');
    await t.up.drainOnce();
    assert.equal(st(t.db, last.id).status, 'acked');
    assert.equal(JSON.parse(messagesOf(t.db, st(t.db, last.id).id)[0]!.request_json!).input.data.setl_id, st(t.db, ret.id).setl_id, 'undoes the re-settlement, not the original');
    assert.equal(standingSettlements(t.sim.db).length, 0);
    assert.equal(verifyJournal(t.db).ok, true);
  } finally {
    await t.done();
  }
});

test('a partial return before upload cancels the sale locally and uploads only the kept lines', async () => {
  const t = await setup();
  try {
    const sale = settleSale(t.db);
    const ret = reverse(t.db, { settlementId: sale.id, lines: ['2'], operator: op, reason: '少拿一种' });
    assert.equal(st(t.db, sale.id).status, 'cancelled');
    assert.deepEqual(JSON.parse(st(t.db, ret.id).steps_json).map((s: { infno: string }) => s.infno), ['2102']);
    await t.up.drainOnce();
    const standing = standingSettlements(t.sim.db);
    assert.equal(standing.length, 1);
    assert.equal(standing[0]!.medfee_sumamt, sale.lines[0]!.total);
    assert.equal(t.sim.stats().settlements, 1, 'the original was never sent');
  } finally {
    await t.done();
  }
});

test('a sale the platform rejected can only be reversed in full, locally; a partial return is refused', async () => {
  const t = await setup({ refusePsnNo: ['R1'] });
  try {
    const sale = settleSale(t.db, { psnNo: 'R1' });
    await t.up.drainOnce();
    assert.equal(st(t.db, sale.id).status, 'rejected');
    assert.throws(() => reverse(t.db, { settlementId: sale.id, lines: ['a'], operator: op, reason: 'x' }), (e: unknown) => e instanceof InputError && e.code === 'PARTIAL_RETURN_OF_REJECTED');
    const rev = reverse(t.db, { settlementId: sale.id, operator: op, reason: '平台拒绝，改自费' });
    assert.equal(st(t.db, rev.id).status, 'cancelled');
    assert.equal(usedThisYear(t.db, 'R1', '2024-08-01'), '0.00');
  } finally {
    await t.done();
  }
});

test('a platform split that differs from ours is recorded as variances (settlement and line) and listed for reports', async () => {
  const t = await setup({ splitSkew: { SKEW1: '1.50' } });
  try {
    const sale = settleSale(t.db, { psnNo: 'SKEW1' });
    const fine = settleSale(t.db);
    await t.up.drainOnce();
    const v = listVariances(t.db, { from: '2024-08-01', to: '2024-08-01' });
    assert.deepEqual(
      v.map((x) => [x.receipt_no, x.field, x.local_value, x.platform_value, x.difference]),
      [
        [sale.receiptNo, 'fund_pay_sumamt', sale.fund, fen(new Decimal(sale.fund).minus('1.50')), '-1.50'],
        [sale.receiptNo, 'psn_part_amt', sale.patientPays, fen(new Decimal(sale.patientPays).plus('1.50')), '1.50'],
      ],
    );
    assert.equal(listVariances(t.db, { settlementId: fine.id }).length, 0);
    // The platform's own ledger (what it paid this year) drives its cap: a patient near the cap differs per line too.
    const capped = settleSale(t.db, { psnNo: 'CAP1', usedThisYear: '590.00', lines: [{ id: 'a', price: '30.00', quantity: '1' }] });
    await t.up.drainOnce();
    const cv = listVariances(t.db, { settlementId: capped.id });
    assert.ok(cv.some((x) => x.field === 'fund_pay_sumamt'), 'local usedThisYear 590 (cap 600, seed 000 2024 version) vs the platform knowing 0 → different fund');
  } finally {
    await t.done();
  }
});

test('day close (3201) is refused while the day has records not acked, then runs and balances', async () => {
  const t = await setup({ once: [{ fault: 'error5xx', infno: '2102' }] });
  try {
    const a = settleSale(t.db);
    settleSale(t.db, { type: 'pharmacy', insurance: 'resident', psnNo: 'P2' });
    await t.up.drainOnce();
    assert.equal(st(t.db, a.id).status, 'ambiguous');
    await assert.rejects(closeDay(t.db, { date: '2024-08-01', endpoint: t.sim.url }), (e: unknown) => {
      assert.ok(e instanceof DayNotReadyError);
      assert.equal(e.problems.length, 1);
      assert.equal(e.problems[0]!.path, a.receiptNo);
      assert.match(e.messageZh, /不能日结/);
      return true;
    });
    assert.equal(dayCloses(t.db, '2024-08-01').length, 0);
    t.db.prepare('UPDATE outbox SET next_attempt_at = 0').run();
    await t.up.drainOnce();
    await t.up.drainOnce();
    const ret = reverse(t.db, { settlementId: a.id, lines: ['a'], operator: op, reason: 'x' });
    await t.up.drainOnce();
    assert.equal(st(t.db, ret.id).status, 'acked');
    const r = await closeDay(t.db, { date: '2024-08-01', endpoint: t.sim.url });
    assert.equal(r.balanced, true);
    assert.equal(r.groups.length, 1);
    assert.equal(r.groups[0]!.count, 2);
    assert.equal(r.groups[0]!.stmtRslt, '0');
    assert.equal(dayCloses(t.db, '2024-08-01')[0]!.balanced, 1);
    // Another day with nothing on it closes trivially.
    assert.deepEqual((await closeDay(t.db, { date: '2024-08-02', endpoint: t.sim.url })).groups, []);
  } finally {
    await t.done();
  }
});

test('day close reports an unbalanced day when the platform holds something the counter does not', async () => {
  const t = await setup();
  try {
    settleSale(t.db);
    await t.up.drainOnce();
    // The platform has an extra settlement for this institution and day (someone settled it elsewhere).
    const s = t.sim.db.prepare(`SELECT * FROM sim_settlement LIMIT 1`).get() as Record<string, unknown>;
    t.sim.db.prepare(`INSERT INTO sim_settlement (setl_id, kind, fixmedins_code, medins_setl_id, msgid, infno, psn_no, insutype, clr_type, setl_date, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, output_json, created_at)
      VALUES ('EXTRA1', 'settle', @fixmedins_code, 'elsewhere', 'x', '2102', 'P9', @insutype, @clr_type, @setl_date, '10.00', '5.00', '5.00', '0.00', '{}', 'now')`).run(s);
    const r = await closeDay(t.db, { date: '2024-08-01', endpoint: t.sim.url });
    assert.equal(r.balanced, false);
    assert.equal(r.groups[0]!.stmtRslt, '1');
    assert.match(r.groups[0]!.description!, /fixmedins_setl_cnt platform 2 vs 1/);
    assert.equal(dayCloses(t.db, '2024-08-01')[0]!.balanced, 0);
  } finally {
    await t.done();
  }
});
