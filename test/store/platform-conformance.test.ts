// Conformance to platform-fields.md for every transaction the product sends, checked on the
// messages themselves: for every region a pharmacy and a clinic settle, return part and reverse
// the rest through the strict simulator, and every message stored carries each required field
// with its length, the envelope fields, the sign_no of the day and this counter's dev_no.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTemp, saleInput, settleSale, tempDir, type SaleOptions } from '../helpers/settlement.ts';
import { COVERED_INFNOS, referenceProblems } from '../helpers/platform-fields.ts';
import { InputError } from '../../core/contract/problems.ts';
import { loadPolicyBook, SITE_POLICY_ENV } from '../../core/policy/load.ts';
import { settle } from '../../core/settlement/settle.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { missingField } from '../../core/simulator/required.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement, setTerminal } from '../../core/store/outbox.ts';
import { getSettlement, linesOf } from '../../core/store/journal.ts';
import { BUNDLED_PLATFORM_CONFIG, PLATFORM_CONFIG_ENV, loadPlatformConfig, parsePlatformConfig } from '../../core/platform/config.ts';
import { buildEnvelope } from '../../core/platform/envelope.ts';
import { buildInput, type StoredPatient } from '../../core/platform/mapping.ts';
import { saleSteps } from '../../core/outbox/steps.ts';
import { allSimSettlements, standingSettlements } from '../../core/store/simulator.ts';

const config = loadPlatformConfig();
const op = { id: 'op02', name: '王收费' };

// Every region (resources/policies 000–004), each institution type its scheme covers, with the
// facts its scheme asks for. Kunming's scheme covers clinics only (seed 002 §三: 二级及以下定点基层医疗机构,
// §五.(一) a designated one): a pharmacy sale there is refused at the counter and nothing is sent.
// Dazhou publishes no rates or cap (seed 004): a site policy file supplies them, as a site would.
const DAZHOU_SITE = {
  id: 'dazhou',
  name: '达州市',
  versions: [
    {
      effectiveFrom: '2024-01-01',
      document: '本站配置：达州市两病待遇（测试用）',
      eligibility: { insurance: ['resident', 'employee'], chronicDiseaseSupersedes: false, institutionTypes: ['clinic', 'pharmacy'], levels: [1, 2, 3], designatedInstitutionOnly: false },
      lineRules: [
        { when: { listed: false }, covered: false, reason: 'NOT_LISTED', source: 'site' },
        { when: { insurance: ['employee'] }, rate: '0.7', source: 'site' },
        { when: {}, rate: '0.5', source: 'site' },
      ],
      cap: { kind: 'table', entries: [{ when: { conditions: 'any' }, amount: '300', source: 'site' }] },
    },
  ],
};

interface RegionCase {
  region: string;
  admvs: string;
  insurance: 'resident' | 'employee';
  types: ('pharmacy' | 'clinic')[];
  refused?: ('pharmacy' | 'clinic')[];
  facts?: (code: string) => Partial<SaleOptions>;
  siteDir?: () => string;
}

const REGIONS: RegionCase[] = [
  { region: 'lincang', admvs: '530900', insurance: 'resident', types: ['pharmacy', 'clinic'] },
  // seed 001 §一: 一类/二类管理对象; §三.(一).1 二类管理一级医疗机构80%.
  { region: 'chongqing', admvs: '500100', insurance: 'resident', types: ['pharmacy', 'clinic'], facts: () => ({ managementClass: 2 }) },
  { region: 'kunming', admvs: '530100', insurance: 'resident', types: ['clinic'], refused: ['pharmacy'], facts: (code) => ({ designatedInstitution: code, annualCap: '1200.00' }) },
  // seed 003 §二.(一).3(2): employees too.
  { region: 'ezhou', admvs: '420700', insurance: 'employee', types: ['pharmacy', 'clinic'] },
  {
    region: 'dazhou',
    admvs: '511700',
    insurance: 'employee',
    types: ['pharmacy', 'clinic'],
    siteDir: () => {
      const dir = tempDir('lbc-policy-');
      writeFileSync(join(dir, 'dazhou.json'), JSON.stringify(DAZHOU_SITE));
      return dir;
    },
  },
];

/** A site configuration asking pharmacies for the 2101 pre-settlement before 2102 (provinces.json pharmacyPreview). */
function previewConfigFile(): string {
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.defaults.pharmacyPreview = true;
  const file = join(tempDir('lbc-platform-config-'), 'provinces.json');
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

const SETTLE = { pharmacy: '2102', clinic: '2207' } as const;
const UNDO = { pharmacy: '2103', clinic: '2208' } as const;

test('the reference table covers every transaction a sale, a return and a reversal send', () => {
  for (const i of ['9001', '2201', '2203', '2204', '2207', '2208', '2102', '2103', '2601', '3201', '3202', '9101']) assert.ok(COVERED_INFNOS.includes(i), i);
});

for (const rc of REGIONS) {
  test(`${rc.region}: ${rc.types.join(' and ')} settle (${rc.types.includes('pharmacy') ? 'pharmacy 2101 → 2102, ' : ''}one reply lost → 2601), return part, reverse the rest through the strict simulator; every message has each required field of platform-fields.md with its type and length`, async () => {
    const previousPlatformConfig = process.env[PLATFORM_CONFIG_ENV];
    process.env[PLATFORM_CONFIG_ENV] = previewConfigFile();
    const previousPolicyDir = process.env[SITE_POLICY_ENV];
    const siteDir = rc.siteDir?.();
    if (siteDir) process.env[SITE_POLICY_ENV] = siteDir;
    const regionBook = siteDir ? loadPolicyBook(siteDir) : undefined;
    const { db } = openTemp();
    setTerminal(db, { terminalNo: 2, devNo: 'COUNTER-02' });
    // One reply lost after the platform committed, for each settlement transaction: resolved by 2601.
    const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), faults: { once: rc.types.map((t) => ({ fault: 'dropReply' as const, infno: SETTLE[t] })) } });
    if (siteDir) {
      if (previousPolicyDir === undefined) delete process.env[SITE_POLICY_ENV];
      else process.env[SITE_POLICY_ENV] = previousPolicyDir;
    }
    let clock = Date.parse('2024-08-01T02:00:00Z');
    const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000, now: () => clock, random: () => 0.5 });
    const drain = async () => {
      for (let i = 0; i < 6; i++) {
        await up.drainOnce();
        clock += 120_000;
      }
    };
    try {
      const saleOf = (type: 'pharmacy' | 'clinic', psnNo?: string): SaleOptions => {
        const code = `${type === 'pharmacy' ? 'P' : 'H'}${rc.admvs}00001`;
        return { type, policy: rc.region, insurance: rc.insurance, institutionCode: code, institutionRegion: rc.admvs, book: regionBook, ...(psnNo ? { psnNo } : {}), ...rc.facts?.(code) };
      };
      for (const type of rc.refused ?? []) {
        assert.throws(() => settleSale(db, saleOf(type)), (e: unknown) => e instanceof InputError && e.code === 'NOT_ELIGIBLE' && /INSTITUTION_TYPE_NOT_COVERED/.test(e.message), `${rc.region} ${type}: refused at the counter`);
      }
      const sales = rc.types.map((type) => settleSale(db, saleOf(type)));
      for (const s of sales) assert.notEqual(s.fund, '0.00', `${rc.region} ${s.receiptNo}: the fund pays part`);
      await drain();
      const records = [...sales];
      for (const s of sales) records.push(reverse(db, { settlementId: s.id, lines: ['b'], operator: op, reason: '退一种' }));
      await drain();
      for (const s of sales) records.push(reverse(db, { settlementId: s.id, lines: ['a'], operator: op, reason: '全退' }));
      await drain();
      for (const r of records) assert.equal(getOutboxBySettlement(db, r.id)!.status, 'acked', `${r.receiptNo} ${r.kind}`);
      assert.equal(standingSettlements(sim.db).length, 0, 'everything returned in the end');
      // Each settlement stood once at a time: the lost reply's settlement was undone by 2601, not kept beside its resend.
      const all = allSimSettlements(sim.db).filter((s) => s.kind === 'settle');
      const byKey = new Map<string, number>();
      for (const s of all) if (s.active) byKey.set(s.medins_setl_id, (byKey.get(s.medins_setl_id) ?? 0) + 1);
      for (const [key, n] of byKey) assert.equal(n, 1, `${key} stands at most once`);

      const sent = sim.db.prepare(`SELECT infno, request_json FROM sim_message WHERE request_json IS NOT NULL ORDER BY rowid`).all() as { infno: string; request_json: string }[];
      const infnos = sent.map((m) => m.infno);
      const expected = ['9001', '2601', ...rc.types.flatMap((t) => (t === 'pharmacy' ? ['2101', '2102', '2103'] : ['2201', '2203', '2204', '2207', '2208']))];
      for (const i of expected) assert.ok(infnos.includes(i), `${rc.region}: ${i} was sent`);
      if (rc.types.includes('pharmacy')) assert.ok(infnos.indexOf('2101') < infnos.indexOf('2102'), 'the pre-settlement comes before the settlement');
      assert.equal(infnos[0], '9001', '9001 comes first');
      for (const t of rc.types) {
        const reversals = sent.filter((m) => m.infno === '2601').map((m) => JSON.parse(m.request_json).input.data as { oinfno: string; omsgid: string });
        assert.ok(reversals.some((r) => r.oinfno === SETTLE[t]), `${rc.region} ${t}: the lost ${SETTLE[t]} reply was resolved by 2601`);
        assert.equal(infnos.filter((i) => i === UNDO[t]).length, 2, `${rc.region} ${t}: one ${UNDO[t]} for the return, one for the rest`);
      }
      const signNos = new Set((db.prepare('SELECT sign_no FROM platform_sign_in').all() as { sign_no: string }[]).map((r) => r.sign_no));
      const regionConfig = config.region(rc.region);
      for (const m of sent) {
        const env = JSON.parse(m.request_json) as Record<string, any>;
        assert.deepEqual(referenceProblems(env), [], `${rc.region} ${m.infno}: conforms to platform-fields.md`);
        assert.equal(missingField(env), null, `${m.infno}: the simulator's own check agrees`);
        assert.equal(env.mdtrtarea_admvs, rc.admvs, 'the institution\'s own 医保区划');
        assert.equal(env.infver, regionConfig.infver);
        assert.equal(env.recer_sys_code, regionConfig.recerSysCode);
        assert.equal(env.dev_no, 'COUNTER-02');
        assert.equal(env.msgid[26], '2', 'the terminal digit opens the msgid sequence');
        if (m.infno !== '9001') assert.ok(signNos.has(env.sign_no), `${m.infno} carries a sign_no from 9001`);
        if (m.infno === '2102') assert.equal(env.input.druginfo.med_type, regionConfig.medType.pharmacy);
        if (m.infno === '2207') assert.equal(env.input.data.insutype, rc.insurance === 'employee' ? '310' : '390');
      }
    } finally {
      up.close();
      await sim.close();
      if (previousPlatformConfig === undefined) delete process.env[PLATFORM_CONFIG_ENV];
      else process.env[PLATFORM_CONFIG_ENV] = previousPlatformConfig;
    }
  });
}

test('the reference check refuses what the reference refuses: a missing, mistyped or too long field (and so does the strict simulator)', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000 });
  try {
    settleSale(db, { type: 'clinic' });
    await up.drainOnce();
    const good = JSON.parse((sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '2207'`).get() as { request_json: string }).request_json) as Record<string, any>;
    assert.deepEqual(referenceProblems(good), []);
    const variant = (f: (e: Record<string, any>) => void) => {
      const e = structuredClone(good);
      f(e);
      e.msgid = `${good.msgid.slice(0, 26)}9${good.msgid.slice(27)}`;
      return e;
    };
    // The last field says whether the simulator's gateway check (required fields, lengths, amounts) refuses it too.
    const cases: [string, Record<string, any>, RegExp, boolean][] = [
      ['no psn_setlway', variant((e) => delete e.input.data.psn_setlway), /input\.data\.psn_setlway is required/, true],
      ['an amount as text', variant((e) => (e.input.data.medfee_sumamt = '十元')), /medfee_sumamt .* is not a number/, true],
      ['a 31-character visit id', variant((e) => (e.input.data.mdtrt_id = 'M'.repeat(31))), /mdtrt_id is longer than 30/, true],
      ['no opter_name', variant((e) => delete e.opter_name), /opter_name is required/, true],
      ['no diagnosis list', variant((e) => (e.infno = '2203')), /input\.mdtrtinfo is required/, true],
      ['three decimals', variant((e) => (e.input.data.medfee_sumamt = '1.005')), /more than 2 decimals/, false],
      ['inf_time without seconds', variant((e) => (e.inf_time = '2024-08-01 10:00')), /inf_time .* is not yyyy-MM-dd HH:mm:ss/, true],
    ];
    for (const [what, env, why, gateway] of cases) {
      assert.match(referenceProblems(env).join('; '), why, what);
      if (!gateway) continue;
      const res = await fetch(sim.url, { method: 'POST', body: JSON.stringify(env) });
      const reply = (await res.json()) as { infcode: number; err_msg: string };
      assert.equal(reply.infcode, -1, `the strict simulator refuses ${what}`);
      assert.match(reply.err_msg, /缺少必填项或格式错误/, what);
    }
    assert.equal(standingSettlements(sim.db).length, 1, 'none of the refused ones settled');
  } finally {
    up.close();
    await sim.close();
  }
});

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
