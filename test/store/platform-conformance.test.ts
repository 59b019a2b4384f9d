// Conformance to platform-fields.md for every transaction the product sends, checked on the
// messages themselves: for every region a pharmacy and a clinic settle, return part and reverse
// the rest through the strict simulator, and every message stored carries each required field
// with its length, the envelope fields, the sign_no of the day and this counter's dev_no.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { openTemp, saleInput, settleSale, tempDir } from '../helpers/settlement.ts';
import { settle } from '../../core/settlement/settle.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { missingField } from '../../core/simulator/required.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement, setTerminal } from '../../core/store/outbox.ts';
import { getSettlement, linesOf } from '../../core/store/journal.ts';
import { BUNDLED_PLATFORM_CONFIG, loadPlatformConfig, parsePlatformConfig } from '../../core/platform/config.ts';
import { buildEnvelope } from '../../core/platform/envelope.ts';
import { buildInput, type StoredPatient } from '../../core/platform/mapping.ts';
import { saleSteps } from '../../core/outbox/steps.ts';
import { standingSettlements } from '../../core/store/simulator.ts';

const config = loadPlatformConfig();
const op = { id: 'op02', name: '王收费' };

// Regions whose scheme the generic test sale meets: Lincang residents, Ezhou employees too (seed 003
// §二.(一).3(2)). Chongqing needs a management class and its own drug rules, Kunming a designated clinic,
// Dazhou site rates (seed 004): their sales need the region's own fixture and are not repeated here.
const COVERED: { region: string; insurance: 'resident' | 'employee'; types: ('pharmacy' | 'clinic')[] }[] = [
  { region: 'lincang', insurance: 'resident', types: ['pharmacy', 'clinic'] },
  { region: 'ezhou', insurance: 'employee', types: ['pharmacy', 'clinic'] },
];

for (const { region, insurance, types } of COVERED) {
  test(`${region}: ${types.join(' and ')} settle, return part, reverse the rest through the strict simulator; every message conforms`, async () => {
    const { db } = openTemp();
    setTerminal(db, { terminalNo: 2, devNo: 'COUNTER-02' });
    const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
    const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000 });
    try {
      const sales = types.map((type) => settleSale(db, { type, policy: region, insurance }));
      await up.drainOnce();
      const records = [...sales];
      for (const s of sales) records.push(reverse(db, { settlementId: s.id, lines: ['b'], operator: op, reason: '退一种' }));
      await up.drainOnce();
      for (const s of sales) records.push(reverse(db, { settlementId: s.id, lines: ['a'], operator: op, reason: '全退' }));
      await up.drainOnce();
      for (const r of records) assert.equal(getOutboxBySettlement(db, r.id)!.status, 'acked', `${r.receiptNo} ${r.kind}`);
      assert.equal(standingSettlements(sim.db).length, 0, 'everything returned in the end');
      const sent = db.prepare(`SELECT infno, request_json FROM outbox_message WHERE request_json IS NOT NULL`).all() as { infno: string; request_json: string }[];
      const infnos = new Set(sent.map((m) => m.infno));
      for (const i of [...(types.includes('pharmacy') ? ['2102', '2103'] : []), '2201', '2203', '2204', '2207', '2208']) assert.ok(infnos.has(i), `${i} was sent`);
      const signNos = new Set((db.prepare('SELECT sign_no FROM platform_sign_in').all() as { sign_no: string }[]).map((r) => r.sign_no));
      for (const m of sent) {
        const env = JSON.parse(m.request_json) as Record<string, any>;
        assert.equal(missingField(env), null, `${m.infno}: every required field present`);
        assert.equal(env.infver, config.region(region).infver);
        assert.equal(env.recer_sys_code, 'YBXT');
        assert.match(env.opter_type, /^[123]$/);
        assert.ok(env.fixmedins_name.length > 0 && env.fixmedins_name.length <= 200);
        assert.equal(env.dev_no, 'COUNTER-02');
        assert.equal(env.msgid[26], '2', 'the terminal digit opens the msgid sequence');
        assert.ok(signNos.has(env.sign_no), `${m.infno} carries a sign_no from 9001`);
        if (m.infno === '2201') assert.ok(env.input.data.ipt_otp_no.length <= 30);
        if (m.infno === '2204') for (const l of env.input.feedetail) assert.ok(l.bilg_dept_codg && l.bilg_dept_name && l.bilg_dr_codg && l.bilg_dr_name);
      }
    } finally {
      up.close();
      await sim.close();
    }
  });
}

function mapped(over: Partial<StoredPatient> = {}, type: 'pharmacy' | 'clinic' = 'pharmacy', regionOverride?: ReturnType<typeof config.region>) {
  const { db } = openTemp();
  const rec = settle(db, saleInput({ type, policy: 'ezhou', insurance: 'employee' }));
  const row = getSettlement(db, rec.id)!;
  const region = regionOverride ?? config.region('ezhou');
  const patient = { ...(JSON.parse(row.patient_json) as StoredPatient), ...over };
  const ctx = { region, record: row, sale: row, patient, lines: linesOf(db, rec.id), amounts: { total: row.total, inScope: row.in_scope }, mdtrtId: 'MD1', target: null, hints: false, at: new Date(row.settled_at) };
  return { row, region, ctx };
}

test('acct_used_flag follows the employee\'s answer (1 only when they chose the personal account); a resident never uses one', () => {
  const step = saleSteps('pharmacy')[0]!;
  const flag = (over: Partial<StoredPatient>) => (buildInput(step, mapped(over).ctx) as { druginfo: { acct_used_flag: string } }).druginfo.acct_used_flag;
  assert.equal(flag({ acctUsed: true }), '1');
  assert.equal(flag({ acctUsed: false }), '0');
  assert.equal(flag({}), '0');
  assert.equal(flag({ acctUsed: true, insutype: '390' }), '0');
  const clinic = mapped({ acctUsed: true }, 'clinic');
  assert.equal((buildInput(saleSteps('clinic')[3]!, clinic.ctx) as { data: { acct_used_flag: string } }).data.acct_used_flag, '1');
});

test('2201 ipt_otp_no is the receipt number (≤ 30), doctor and department from the staff mapping or the region; 2204 carries bilg_dept_codg/name and the dosage facts', () => {
  const { row, ctx } = mapped({}, 'clinic');
  const reg = buildInput(saleSteps('clinic')[0]!, ctx) as { data: Record<string, string> };
  assert.equal(reg.data.ipt_otp_no, row.receipt_no);
  assert.ok(reg.data.ipt_otp_no!.length <= 30);
  assert.deepEqual([reg.data.dept_code, reg.data.dept_name, reg.data.caty], ['A03', '全科', 'A03']);
  const staffed = buildInput(saleSteps('clinic')[0]!, { ...ctx, staff: { drCode: 'D530902000123', drName: '赵医生', deptCode: 'A04', deptName: '内科', caty: 'A04' } }) as { data: Record<string, string> };
  assert.deepEqual([staffed.data.atddr_no, staffed.data.dr_name, staffed.data.dept_code], ['D530902000123', '赵医生', 'A04']);
  const lines = ctx.lines.map((l) => ({ ...l, facts_json: JSON.stringify({ ...JSON.parse(l.facts_json), dose: '5mg', frequency: '每日一次', days: '28', route: '口服' }) }));
  const fees = buildInput(saleSteps('clinic')[2]!, { ...ctx, lines }) as { feedetail: Record<string, string>[] };
  assert.equal(fees.feedetail[0]!.bilg_dept_codg, 'A03');
  assert.equal(fees.feedetail[0]!.bilg_dept_name, '全科');
  assert.deepEqual([fees.feedetail[0]!.sin_dos_dscr, fees.feedetail[0]!.used_frqu_dscr, fees.feedetail[0]!.prd_days, fees.feedetail[0]!.medc_way_dscr], ['5mg', '每日一次', '28', '口服']);
});

test('per-province envelope extras are data (provinces.json): fixmedins_soft_fcty appears only where the region lists it', () => {
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.regions.kunming.extraEnvelope = { fixmedins_soft_fcty: '某某软件有限公司' };
  const site = parsePlatformConfig(raw, 'site');
  const ctx = (r: string) => ({ region: site.region(r), mdtrtareaAdmvs: '530100', insuplcAdmdvs: '530100', institution: { code: 'P53010100001', name: '药房' }, operator: { id: 'op', name: '甲' }, signNo: 'SN', devNo: 'T1' });
  const at = new Date('2024-08-01T02:00:00Z');
  assert.equal(buildEnvelope('2102', 'P53010100001202408011000001001', {}, ctx('kunming'), at).fixmedins_soft_fcty, '某某软件有限公司');
  assert.equal('fixmedins_soft_fcty' in buildEnvelope('2102', 'P53010100001202408011000001001', {}, ctx('lincang'), at), false);
  assert.throws(() => parsePlatformConfig({ ...raw, defaults: { ...raw.defaults, extraEnvelope: { psn_name: 'x' } } }, 'bad'), /not a valid platform configuration/, 'only envelope fields of the reference');
});

test('hints are off by default: a message to anything but our own simulator carries no lbc_hint (no patient data outside the interface)', async () => {
  assert.equal(config.region('lincang').sendSimulatorHints, false);
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      res.end(JSON.stringify(body.includes('"9001"') ? { infcode: 0, inf_refmsgid: 'R1', output: { signinoutb: { sign_time: '2024-08-01 08:00:00', sign_no: 'SN1' } } } : { infcode: -1, err_msg: '测试拒绝' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { db } = openTemp();
  const up = new Uploader(db, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, timeoutMs: 2000 });
  try {
    settleSale(db);
    await up.drainOnce();
    assert.equal(bodies.length, 2);
    for (const b of bodies) {
      assert.doesNotMatch(b, /lbc_hint/);
      assert.doesNotMatch(b, /张三/, 'the patient\'s name is not an input field of these messages');
    }
  } finally {
    up.close();
    await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  }
});
