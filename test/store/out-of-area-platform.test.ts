// Out-of-area (异地) patients, both branches of seed 001 §四 (办理了跨省异地就医备案的市外“两病”患者，
// 在市外异地直接联网结算的医保定点医疗机构就医的，按异地就医规定执行；在市外异地非直接联网结算的医保定点
// 医疗机构就医，由参保人员先行垫付相关费用，再到参保地医保经办机构按本办法的规定报销):
// - where the region's platform settings say the platform settles 异地 directly (provinces.json
//   outOfAreaDirect), the sale is quoted without the local two-disease rules, written to the journal
//   and uploaded through the outbox with the insured's region (envelope insuplc_admdvs) beside this
//   institution's (mdtrtarea_admvs); nothing counts in a local pool;
// - otherwise the patient pays here and takes the 垫付 claim receipt (nothing in the journal or outbox).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { seedDemoData } from '../../core/demo/seed.ts';
import { seedOperators } from '../../core/app/fixture.ts';
import { CounterService } from '../../core/service/index.ts';
import { loadPlatformConfig, parsePlatformConfig, PLATFORM_CONFIG_ENV } from '../../core/platform/config.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement } from '../../core/store/outbox.ts';
import { settlementCount } from '../../core/store/journal.ts';
import { usedThisYear } from '../../core/store/ledger.ts';
import { readSettlement } from '../../core/sale/index.ts';
import { syntheticCertno } from '../../core/import/synthetic.ts';
import { InputError } from '../../core/contract/problems.ts';
import { buildReport } from '../../core/reports/index.ts';

const NOW = new Date('2025-07-01T02:00:00Z');
const CERTNO = syntheticCertno('510104', '1955-03-03', 7); // insured in Chengdu (510104)

/** The bundled platform settings with Lincang's institutions settling 异地 directly (a site file, as LBC_PLATFORM_CONFIG names one). */
function directConfigFile(direct: boolean): string {
  const bundled = JSON.parse(JSON.stringify(loadPlatformConfig()['file' as never])) as { regions: Record<string, Record<string, unknown>> };
  bundled.regions.lincang!.outOfAreaDirect = direct;
  const file = join(mkdtempSync(join(tmpdir(), 'lbc-oa-cfg-')), 'provinces.json');
  writeFileSync(file, JSON.stringify(bundled));
  return file;
}

async function counter() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-oa-')));
  seedDemoData(db, { region: 'lincang' });
  seedOperators(db);
  let woken = 0;
  const s = new CounterService({ db, now: () => NOW, onCommitted: () => void woken++ });
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  return { db, s, session, woken: () => woken };
}

const person = { name: '钱多多', psnNo: '51010400000000000077', certno: CERTNO, insuredRegion: '510104', insurance: 'resident' as const, conditions: ['hypertension' as const] };
const lines = [{ code: 'YP0001', quantity: '1' }, { code: 'YP0038', quantity: '2' }]; // 5.29 + 2 × 11.02

/** Forwards to the simulator and keeps every envelope the counter sent. */
async function recordingProxy(target: string): Promise<{ url: string; seen: Record<string, any>[]; close(): Promise<void> }> {
  const seen: Record<string, any>[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push(JSON.parse(body));
      const r = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

test('seed 001 §四, direct branch: where the platform settles 异地 directly, the sale goes to the journal without local rules and is uploaded with the insured\'s region', async () => {
  process.env[PLATFORM_CONFIG_ENV] = directConfigFile(true);
  const sim = await startSimulator({ dataDir: mkdtempSync(join(tmpdir(), 'lbc-oa-sim-')) });
  const proxy = await recordingProxy(sim.url);
  try {
    const { db, s, session, woken } = await counter();
    // The platform settles on the insuring region's 人员编号: without it the sale is refused, naming the field.
    const { psnNo: _p, ...noPsn } = person;
    await assert.rejects(s.call('cashSale', { session, requestId: crypto.randomUUID(), kind: 'out-of-area', person: noPsn, lines }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'person.psnNo'));
    const requestId = crypto.randomUUID();
    const r = await s.call('cashSale', { session, requestId, kind: 'out-of-area', person, lines });
    assert.equal(r.settledBy, 'platform');
    assert.equal(r.kindZh, '异地就医（医保平台直接结算）');
    assert.equal(r.total, '27.33');
    assert.match(r.receiptNo, /^S/, 'a journal receipt number, not a cash one');
    assert.ok(r.html.includes('异地就医直接结算单') && r.html.includes('由医保平台按参保地政策结算') && !r.html.includes('垫付'), 'the receipt says the platform settles it, not a claim');
    assert.ok(!r.html.includes(CERTNO), 'the ID number is masked on the receipt');
    assert.equal(woken(), 1, 'the uploader is woken after the commit');

    // Quoted without local rules: nothing paid by a local rate or cap, nothing in the local pool.
    const m = readSettlement(db, r.id)!;
    assert.deepEqual([m.record.fund, m.record.patientPays, m.record.total], ['0.00', '27.33', '27.33']);
    assert.ok(m.result!.reasons.some((x) => x.code === 'OUT_OF_AREA_DIRECT'));
    assert.ok(m.result!.lines.every((l) => !l.covered && l.fund === '0.00' && l.inScope === l.total), 'no local list or standard cuts a line: the platform judges it');
    // The settlement as the screen shows it names why nothing was paid here.
    const view = await s.call('getSettlement', { settlementId: r.id });
    assert.ok(view.lines.every((l) => l.explain.some((x) => x.includes('由医保平台按参保地政策结算')) && !l.explain.some((x) => x.includes('超支付标准'))), JSON.stringify(view.lines));
    assert.equal(usedThisYear(db, person.psnNo, '2025-07-01'), '0.00');
    assert.equal((db.prepare('SELECT count(*) AS n FROM cash_sales').get() as { n: number }).n, 0, 'no 垫付 record');

    // Not this region's two-disease figures (seed 003 附件4, the residents' monthly statement): a local sale is, the 异地 one is not.
    const total = () => (buildReport(db, 'monthly-residents', '2025-07', NOW).tables[0]!.rows as Record<string, string | number>[]).at(-1)!.totalCost;
    assert.equal(total(), '0.00', 'the out-of-area sale is the insuring region\'s');
    const local = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: '530902DM0101', lines: [{ code: 'YP0001', quantity: '1' }] });
    assert.equal(total(), local.total, 'a local sale counts');
    assert.equal(settlementCount(db), 2);

    // The same request again is the same sale; the same requestId with other lines is refused.
    assert.equal((await s.call('cashSale', { session, requestId, kind: 'out-of-area', person, lines })).id, r.id);
    await assert.rejects(s.call('cashSale', { session, requestId, kind: 'out-of-area', person, lines: [lines[0]!] }), (e: unknown) => (e as InputError).code === 'IDEMPOTENCY_CONFLICT' && (e as InputError).problems.some((p) => p.path === 'requestId'));
    assert.equal(settlementCount(db), 2, 'the conflicting retry wrote nothing');

    // Through the outbox: the pharmacy settlement message carries the insured's region.
    const up = new Uploader(db, { endpoint: proxy.url, timeoutMs: 3000, now: () => NOW.getTime(), random: () => 0.5, concurrency: 1 });
    try {
      await up.drainOnce();
    } finally {
      up.close();
    }
    assert.equal(getOutboxBySettlement(db, r.id)!.status, 'acked', JSON.stringify(getOutboxBySettlement(db, r.id)));
    // The demo institution is a health centre: 2201 挂号, 2203 就诊信息, 2204 费用明细, 2207 结算, each for this person.
    const saleMsgs = proxy.seen.filter((e) => ['2201', '2203', '2203A', '2204', '2207'].includes(e.infno) && JSON.stringify(e.input).includes(person.psnNo));
    const localMsgs = proxy.seen.filter((e) => e.infno === '2207' && JSON.stringify(e.input).includes('530902DM0101'));
    assert.deepEqual(localMsgs.map((e) => e.insuplc_admdvs), ['530902'], 'the local sale beside it keeps its own region');
    assert.deepEqual(saleMsgs.map((e) => e.infno).filter((n) => n === '2201' || n === '2207'), ['2201', '2207'], JSON.stringify(proxy.seen.map((e) => e.infno)));
    for (const e of saleMsgs) {
      assert.equal(e.insuplc_admdvs, '510104', `${e.infno}: 参保地医保区划 is the insured's`);
      assert.equal(e.mdtrtarea_admvs.slice(0, 4), '5309', `${e.infno}: 就医地医保区划 stays this institution's`);
    }
    const register = saleMsgs.find((e) => e.infno === '2201')!;
    assert.equal(register.input.data.psn_no, person.psnNo);
    assert.equal(register.input.data.mdtrt_cert_no, CERTNO);
    const settle = saleMsgs.find((e) => e.infno === '2207')!;
    assert.equal(settle.input.data.psn_no, person.psnNo);
    assert.equal(String(settle.input.data.medfee_sumamt), '27.33');
    db.close();
  } finally {
    delete process.env[PLATFORM_CONFIG_ENV];
    await proxy.close();
    await sim.close();
  }
});

test('seed 001 §四, claim branch: where the platform does not settle 异地 directly, the patient pays here and gets the 垫付 claim receipt; nothing goes to the journal or the outbox', async () => {
  process.env[PLATFORM_CONFIG_ENV] = directConfigFile(false);
  try {
    const { db, s, session, woken } = await counter();
    const r = await s.call('cashSale', { session, requestId: crypto.randomUUID(), kind: 'out-of-area', person, lines });
    assert.equal(r.settledBy, 'counter');
    assert.equal(r.kindZh, '异地就医（垫付）');
    assert.match(r.receiptNo, /^Y20250701/);
    assert.equal(r.total, '27.33');
    assert.ok(r.html.includes('异地就医费用垫付凭证') && r.html.includes('个人垫付') && r.html.includes('510104'));
    assert.equal(settlementCount(db), 0);
    assert.equal((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n, 0);
    assert.equal(woken(), 0);
    db.close();
  } finally {
    delete process.env[PLATFORM_CONFIG_ENV];
  }
});

test('the bundled platform settings name the 异地 setting for every region (default: the 垫付 claim)', () => {
  const c = loadPlatformConfig();
  for (const id of c.regions()) assert.equal(typeof c.region(id).outOfAreaDirect, 'boolean', id);
});

test('a site platform file written before the 异地 setting still loads, with no direct 异地 settlement', () => {
  const raw = JSON.parse(JSON.stringify(loadPlatformConfig()['file' as never])) as { defaults: Record<string, unknown>; regions: Record<string, Record<string, unknown>> };
  delete raw.defaults.outOfAreaDirect;
  for (const r of Object.values(raw.regions)) delete r.outOfAreaDirect;
  const c = parsePlatformConfig(raw, 'site');
  assert.equal(c.region('lincang').outOfAreaDirect, false);
  raw.regions.chongqing!.outOfAreaDirect = true;
  assert.equal(parsePlatformConfig(raw, 'site').region('chongqing').outOfAreaDirect, true, 'one region may settle 异地 directly');
  assert.equal(parsePlatformConfig(raw, 'site').region('lincang').outOfAreaDirect, false, 'while the others do not');
});
