// Online identification: the service's lookup asks the platform (1101 人员信息获取 + 5301
// 慢特病备案查询, through the strict simulator, after a 9001) and compares its answer with the
// roster; differences are shown in plain Chinese and recorded. Offline, slow or without a
// platform, the roster alone answers as before. The insuinfo entry is chosen by insutype and
// psn_insu_stas; a social-security card needs card_sn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { CounterService, type PlatformLink } from '../../core/service/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { getCatalogItem } from '../../core/store/catalog.ts';
import { startSimulator, type SimRegistryInput } from '../../core/simulator/index.ts';
import { PlatformClient } from '../../core/platform/client.ts';
import { loadPlatformConfig } from '../../core/platform/config.ts';
import { PlatformSession } from '../../core/outbox/session.ts';
import { identifyOnline } from '../../core/outbox/identify.ts';
import { chooseInsuinfo, input1101 } from '../../core/platform/identification.ts';
import { identityDifferencesOf } from '../../core/store/staff.ts';
import { tempDir } from '../helpers/settlement.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const config = loadPlatformConfig();

function link(db: DB, url: string, delayMs = 0): PlatformLink & { client: PlatformClient } {
  const client = new PlatformClient(url, { timeoutMs: 3000 });
  const session = new PlatformSession(db, client, config, () => NOW);
  return {
    client,
    endpoint: () => url,
    reachable: () => true,
    checkedAt: () => null,
    identify: async (inst, cert, pref) => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return identifyOnline({ db, client, session, config, now: () => NOW }, inst, cert, pref);
    },
  };
}

async function withCounter(registry: SimRegistryInput, fn: (s: CounterService, db: DB, sim: Awaited<ReturnType<typeof startSimulator>>) => Promise<void>, o: { delayMs?: number; onlineLookupMs?: number } = {}) {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-online-')));
  seedFixture(db, 'lincang');
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), registry });
  const l = link(db, sim.url, o.delayMs);
  const s = new CounterService({ db, now: () => NOW, platform: l, ...(o.onlineLookupMs ? { onlineLookupMs: o.onlineLookupMs } : {}) });
  try {
    await fn(s, db, sim);
  } finally {
    l.client.close();
    await sim.close();
    db.close();
  }
}

const certno = FIXTURE_REGIONS.lincang.eligible;

test('the platform agrees with the roster: no difference; 9001 then 1101 then 5301 went to the strict simulator', async () => {
  await withCounter({ persons: [] }, async (s, db, sim) => {
    const local = await s.call('lookup', { input: certno });
    assert.equal(local.found, true);
    assert.equal(local.online?.checked, false, 'the platform did not know the person yet (1101 refused): the roster answered');
    assert.match(local.online!.noteZh!, /未返回此人的参保信息/);
    const psnNo = local.patient!.psnNo;
    sim.setRegistry({
      persons: [{ psnNo, certno, name: '张建国', insuinfo: [{ insutype: '390', insuplc_admdvs: '530902' }], filings: [{ code: 'M03900', name: '高血压', begndate: '2020-01-01' }, ...(local.patient!.conditions.includes('diabetes') ? [{ code: 'M01600', name: '糖尿病', begndate: '2020-01-01' }] : [])] }],
    });
    const out = await s.call('lookup', { input: certno });
    assert.equal(out.online?.checked, true, JSON.stringify(out.online));
    assert.deepEqual(out.online?.differences, []);
    const infnos = (sim.db.prepare('SELECT infno FROM sim_message ORDER BY rowid').all() as { infno: string }[]).map((r) => r.infno);
    assert.deepEqual(infnos, ['9001', '1101', '1101', '5301', '5205'], 'one sign-in; the refused 1101, then 1101, 5301 and 5205');
    assert.equal(identityDifferencesOf(db, psnNo).length, 0);
  });
});

test('the platform differs (employee insurance, paused, no filing): each difference in plain Chinese and recorded; the roster still decides', async () => {
  await withCounter({ persons: [] }, async (s, db, sim) => {
    const local = await s.call('lookup', { input: certno });
    const psnNo = local.patient!.psnNo;
    sim.setRegistry({ persons: [{ psnNo, certno, name: '张建国', insuinfo: [{ insutype: '310', psn_insu_stas: '2', insuplc_admdvs: '530902' }], filings: [] }] });
    const out = await s.call('lookup', { input: certno });
    assert.equal(out.online?.checked, true);
    const fields = out.online!.differences.map((d) => d.field).sort();
    assert.ok(fields.includes('insutype') && fields.includes('psn_insu_stas') && fields.includes('filing'), fields.join());
    for (const d of out.online!.differences) assert.match(d.messageZh, /[\u4e00-\u9fa5]/), assert.doesNotMatch(d.messageZh, /insutype|psn_|M0\d/);
    assert.ok(out.online!.differences.some((d) => /职工医保/.test(d.messageZh) && /城乡居民医保/.test(d.messageZh)));
    assert.equal(out.patient!.insurance, local.patient!.insurance, 'the roster decides');
    assert.equal(out.patient!.eligible, local.patient!.eligible);
    assert.equal(identityDifferencesOf(db, psnNo).length, out.online!.differences.length);
  });
});

test('no platform, an unreachable one, or one slower than the lookup timeout: the roster answers', async () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-online-')));
  seedFixture(db, 'lincang');
  const none = new CounterService({ db, now: () => NOW });
  const a = await none.call('lookup', { input: certno });
  assert.equal(a.found, true);
  assert.equal(a.online, undefined);
  const down = new CounterService({ db, now: () => NOW, platform: { endpoint: () => 'http://127.0.0.1:9/', reachable: () => false, checkedAt: () => null, identify: () => Promise.reject(new Error('unreachable')) } });
  const b = await down.call('lookup', { input: certno });
  assert.equal(b.found, true);
  assert.equal(b.online?.checked, false);
  assert.match(b.online!.noteZh!, /本地名单/);
  assert.doesNotMatch(b.online!.noteZh!, /未返回此人/, 'not reachable is not the same as not known');
  db.close();
  await withCounter(
    { persons: [] },
    async (s) => {
      const t0 = Date.now();
      const c = await s.call('lookup', { input: certno });
      assert.ok(Date.now() - t0 < 1500, 'the lookup does not wait for the slow platform');
      assert.equal(c.found, true);
      assert.equal(c.online?.checked, false);
    },
    { delayMs: 2000, onlineLookupMs: 200 },
  );
});

test('1101 with each certificate type: 01 token as is, 03 needs card_sn; insuinfo chosen by insutype and status', async () => {
  assert.throws(() => input1101({ mdtrtCertType: '03', mdtrtCertNo: 'A123' }), /card_sn/);
  assert.deepEqual((input1101({ mdtrtCertType: '01', mdtrtCertNo: 'opaque-token+/=' }) as { data: Record<string, string> }).data.mdtrt_cert_no, 'opaque-token+/=');
  const e = (insutype: string, stas: string) => ({ balc: '0', insutype, psn_insu_stas: stas, insuplc_admdvs: '530902', psn_type: null, psn_insu_date: null, paus_insu_date: null, cvlserv_flag: null, emp_name: null });
  assert.equal(chooseInsuinfo([e('510', '1'), e('390', '1')])?.insutype, '390', 'only employee or resident insurance');
  assert.equal(chooseInsuinfo([e('310', '2'), e('390', '1')], '310')?.insutype, '390', 'an active entry before a paused one');
  assert.equal(chooseInsuinfo([e('310', '1'), e('390', '1')], '310')?.insutype, '310', 'the roster\'s insutype when both are active');
  assert.equal(chooseInsuinfo([e('510', '1')]), null);
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-online-')));
  seedFixture(db, 'lincang');
  const sim = await startSimulator({
    dataDir: tempDir('lbc-sim-'),
    registry: { persons: [{ psnNo: 'P1', certno: '530902195603121111', name: '甲', ecToken: 'EC-TOKEN-1', cardNo: 'K1', cardSn: 'SN1', insuinfo: [{ insutype: '390', insuplc_admdvs: '530902' }] }] },
  });
  const client = new PlatformClient(sim.url, { timeoutMs: 3000 });
  const deps = { db, client, session: new PlatformSession(db, client, config, () => NOW), config, now: () => NOW };
  const inst = { code: 'H53090100001', name: '测试卫生室', type: 'clinic' as const, level: 1 as const, policy: 'lincang', region: '530902', platformEndpoint: null, annualCap: null };
  try {
    assert.equal((await identifyOnline(deps, inst, { mdtrtCertType: '01', mdtrtCertNo: 'EC-TOKEN-1' }))?.psnNo, 'P1');
    assert.equal((await identifyOnline(deps, inst, { mdtrtCertType: '03', mdtrtCertNo: 'K1', cardSn: 'SN1' }))?.psnNo, 'P1');
    assert.equal((await identifyOnline(deps, inst, { mdtrtCertType: '02', mdtrtCertNo: '530902195603121111' }))?.insutype, '390');
    await assert.rejects(identifyOnline(deps, inst, { mdtrtCertType: '03', mdtrtCertNo: 'K1', cardSn: 'WRONG' }), /1101 refused/);
  } finally {
    client.close();
    await sim.close();
    db.close();
  }
});

test('5205: another institution\'s dispensing the platform reports counts in the refill rule (seed 003 附件3 注意2: 15 days left at most); without it the refill passes', async () => {
  await withCounter({ persons: [] }, async (s, db, sim) => {
    const local = await s.call('lookup', { input: certno });
    const psnNo = local.patient!.psnNo;
    const drug = getCatalogItem(db, drugBarcode(1))!;
    const line = [{ code: drugBarcode(1), quantity: '1', days: 28 }];
    const before = await s.call('quote', { patient: certno, lines: line });
    assert.ok(!before.lines[0]!.warnings.some((w) => w.code === 'EARLY_REFILL'), 'nothing dispensed before, as far as the counter knows');
    sim.setRegistry({
      persons: [
        {
          psnNo,
          certno,
          name: '张建国',
          insuinfo: [{ insutype: '390', insuplc_admdvs: '530902' }],
          filings: [{ code: 'M03900', name: '高血压', begndate: '2020-01-01' }],
          dispensing: [{ fixmedins_code: 'H53092200009', fixmedins_name: '邻县卫生院', fee_ocur_time: '2026-03-01 09:00:00', med_list_codg: drug.code, hilist_name: drug.generic_name, cnt: '1', pric: '10.00', prd_days: '28' }],
        },
      ],
    });
    const online = await s.call('lookup', { input: certno });
    assert.equal(online.online?.checked, true);
    const after = await s.call('quote', { patient: certno, lines: line });
    assert.ok(after.lines[0]!.warnings.some((w) => w.code === 'EARLY_REFILL'), JSON.stringify(after.lines[0]!.warnings));
    const offline = new CounterService({ db, now: () => NOW });
    const plain = await offline.call('quote', { patient: certno, lines: line });
    assert.ok(!plain.lines[0]!.warnings.some((w) => w.code === 'EARLY_REFILL'), 'a counter that never asked the platform has only its own history');

  });
});
