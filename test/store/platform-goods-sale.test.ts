// 3505 商品销售 (the 进销存 record, seed 004 §(四) "加大医保'进销存'信息管理系统监督检查"): where
// provinces.json sets goodsSaleUpload, each sale's dispensed drugs follow its settlement through
// the same outbox row as a 3505 step, with batch and trace codes from the line's facts; the
// message passes the strict simulator's required-field check. A line without a batch number
// cannot be reported: the task says which line and why. Off by default: nothing changes elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { join } from 'node:path';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { missingField } from '../../core/simulator/required.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { saleSteps } from '../../core/outbox/steps.ts';
import { getOutboxBySettlement } from '../../core/store/outbox.ts';
import { getSettlement, linesOf } from '../../core/store/journal.ts';
import { BUNDLED_PLATFORM_CONFIG, loadPlatformConfig, PLATFORM_CONFIG_ENV } from '../../core/platform/config.ts';
import { buildEnvelope } from '../../core/platform/envelope.ts';
import { buildInput, type StoredPatient } from '../../core/platform/mapping.ts';

function withGoodsConfig<T>(fn: () => Promise<T>): Promise<T> {
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.regions.lincang.goodsSaleUpload = true;
  const file = join(tempDir('lbc-cfg-'), 'provinces.json');
  writeFileSync(file, JSON.stringify(raw));
  const before = process.env[PLATFORM_CONFIG_ENV];
  process.env[PLATFORM_CONFIG_ENV] = file;
  return fn().finally(() => {
    if (before === undefined) delete process.env[PLATFORM_CONFIG_ENV];
    else process.env[PLATFORM_CONFIG_ENV] = before;
  });
}

test('the 3505 step follows the settlement only where the province asks for it (saleSteps keeps its one-argument form)', async () => {
  assert.deepEqual(saleSteps('pharmacy').map((s) => s.infno), ['2102']);
  assert.deepEqual(saleSteps('pharmacy', 'lincang').map((s) => s.infno), ['2102'], 'off by default');
  await withGoodsConfig(async () => {
    assert.deepEqual(saleSteps('pharmacy', 'lincang').map((s) => s.infno), ['2102', '3505']);
    assert.deepEqual(saleSteps('clinic', 'lincang').map((s) => s.infno), ['2201', '2203', '2204', '2207', '3505']);
    assert.deepEqual(saleSteps('pharmacy', 'kunming').map((s) => s.infno), ['2102']);
  });
});

test('3505 selinfo carries the batch, manufacture date and trace codes from the line facts and the settlement\'s setl_id; it passes the strict check', () => {
  const { db } = openTemp();
  const rec = settleSale(db);
  const row = getSettlement(db, rec.id)!;
  const lines = linesOf(db, rec.id).map((l, i) => ({ ...l, facts_json: JSON.stringify({ ...JSON.parse(l.facts_json), batch: `B2405${i}`, manufactureDate: '2024-05-01', expiry: '2026-04-30', traceCodes: [`8${String(i).padStart(19, '0')}`] }) }));
  const ctx = { region: loadPlatformConfig().region('lincang'), record: row, sale: row, patient: JSON.parse(row.patient_json) as StoredPatient, lines, amounts: { total: row.total, inScope: row.in_scope }, mdtrtId: null, target: null, hints: false, at: new Date(row.settled_at), setlId: 'SETL0001' };
  const input = buildInput({ action: 'goods', infno: '3505' }, ctx) as { selinfo: Record<string, string>[] };
  assert.equal(input.selinfo.length, lines.length);
  assert.deepEqual([input.selinfo[0]!.manu_lotnum, input.selinfo[0]!.manu_date, input.selinfo[0]!.drug_trac_codg, input.selinfo[0]!.setl_id, input.selinfo[0]!.sel_retn_cnt], ['B24050', '2024-05-01', '80000000000000000000', 'SETL0001', lines[0]!.quantity]);
  const env = buildEnvelope('3505', 'P53090100001202408011000001001', input, { region: ctx.region, mdtrtareaAdmvs: '530900', insuplcAdmdvs: '530902', institution: { code: row.institution_code, name: row.institution_name }, operator: { id: 'op01', name: '李药师' }, signNo: 'SN', devNo: 'T1' }, new Date());
  assert.equal(missingField(env as unknown as Record<string, unknown>), null);
  const bare = buildInput.bind(null, { action: 'goods', infno: '3505' });
  assert.throws(() => bare({ ...ctx, lines: linesOf(db, rec.id) }), /line 1 .*no batch number/);
});

test('through the strict simulator: the settlement is acked, then the 3505 step; a line without batch facts stops at 3505 naming the line, the settlement stands', async () => {
  await withGoodsConfig(async () => {
    const { db } = openTemp();
    const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
    const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000 });
    try {
      const sale = settleSale(db);
      await up.drainOnce();
      const row = getOutboxBySettlement(db, sale.id)!;
      assert.equal(row.step, 1, 'the 2102 step was acked');
      assert.ok(row.setl_id, 'the platform settlement is recorded');
      assert.equal(row.status, 'dead');
      assert.match(row.last_error ?? '', /3505 requires|manu_lotnum/);
      const infnos = (sim.db.prepare('SELECT infno FROM sim_message ORDER BY rowid').all() as { infno: string }[]).map((r) => r.infno);
      assert.deepEqual(infnos, ['9001', '2102']);
    } finally {
      up.close();
      await sim.close();
    }
  });
});

test('a sale whose lines carry batch, manufacture date and trace codes (as the counter records them) is settled and then reported with 3505, acked by the strict simulator', async () => {
  await withGoodsConfig(async () => {
    const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-goods-')));
    seedFixture(db, 'lincang');
    const svc = new CounterService({ db, now: () => new Date('2026-03-10T02:00:00Z') });
    const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
    const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000, now: () => Date.parse('2026-03-10T02:00:00Z') });
    try {
      const { session } = await svc.call('signIn', { operatorId: 'yaoshi', pin: '1234' });
      const trace = '81234567890123456789';
      const sale = await svc.call('settle', {
        session,
        requestId: crypto.randomUUID(),
        patient: FIXTURE_REGIONS.lincang.eligible,
        lines: [{ code: drugBarcode(1), quantity: '1', batch: 'B240501', manufactureDate: '2024-05-01', expiry: '2027-04-30', traceCodes: [trace] }],
      });
      await up.drainOnce();
      const row = getOutboxBySettlement(db, sale.id)!;
      assert.equal(row.status, 'acked', row.last_error ?? '');
      const m = sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '3505'`).get() as { request_json: string };
      const sel = JSON.parse(m.request_json).input.selinfo[0];
      assert.deepEqual([sel.manu_lotnum, sel.manu_date, sel.expy_end, sel.drug_trac_codg, sel.setl_id], ['B240501', '2024-05-01', '2027-04-30', trace, row.setl_id]);
    } finally {
      up.close();
      await sim.close();
      db.close();
    }
  });
});
