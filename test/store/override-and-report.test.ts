// The counter service's supervision override and reports on a real database: who may override
// (seed 000 §二.(五).11; a billing clerk may not, a pharmacist may, also authorising at the
// clerk's counter with their PIN), the written reason, the link to the settlement, and the
// overrides / monthly reports built from what was settled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService, ServiceRefusal } from '../../core/service/index.ts';
import { REPORT_NAMES as SERVICE_REPORTS } from '../../core/service/contract.ts';
import { REPORT_NAMES as CORE_REPORTS } from '../../core/reports/index.ts';
import { overridesBetween } from '../../core/store/supervision.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { InputError } from '../../core/contract/problems.ts';

const NOW = new Date('2026-03-10T02:00:00Z'); // 2026-03-10 in China
const L = FIXTURE_REGIONS.lincang;

function service(region: 'lincang' | 'chongqing' = 'lincang') {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-ovr-')));
  seedFixture(db, region);
  return { db, s: new CounterService({ db, now: () => NOW }) };
}
const session = async (s: CounterService, id: string, pin: string) => (await s.call('signIn', { operatorId: id, pin })).session;
const refill = [{ code: drugBarcode(1), quantity: '1', days: 30 }];

async function blockedRefill(s: CounterService, sess: string) {
  // 30 days dispensed today: the same drug again today leaves 30 days > 15 (seed 003 附件3 注意2).
  await s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient: L.eligible, lines: refill });
  const q = await s.call('quote', { patient: L.eligible, lines: refill });
  assert.equal(q.blocked, true);
  assert.deepEqual(q.lines[0]!.blockedBy, ['EARLY_REFILL']);
  return q;
}

test('the service lists the same reports core/reports builds', () => {
  assert.deepEqual([...SERVICE_REPORTS], [...CORE_REPORTS]);
});

test('override: a clerk is refused; a pharmacist authorising with PIN overrides with a written reason; the settle links it; the report shows it', async () => {
  const { db, s } = service();
  const clerk = await session(s, 'shoufei', '5678');
  await blockedRefill(s, clerk);
  const base = { session: clerk, patient: L.eligible, lines: refill, lineId: 'L1', rule: 'EARLY_REFILL' as const, reason: '患者外出务工需备药' };

  await assert.rejects(s.call('overrideBlock', base), (e: unknown) => e instanceof ServiceRefusal && e.code === 'FORBIDDEN' && /收费员不能放行/.test(e.messageZh));
  await assert.rejects(s.call('overrideBlock', { ...base, authorizer: { operatorId: 'shoufei', pin: '5678' } }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'FORBIDDEN');
  await assert.rejects(s.call('overrideBlock', { ...base, authorizer: { operatorId: 'yaoshi', pin: '9999' } }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'AUTHORIZER_FAILED');
  // The reason must say something: refused as bad input, naming the field.
  await assert.rejects(s.call('overrideBlock', { ...base, reason: ' 备药 ', authorizer: { operatorId: 'yaoshi', pin: '1234' } }), (e: unknown) => e instanceof InputError && !(e instanceof ServiceRefusal) && e.problems.some((p) => p.path === 'reason' && /放行理由/.test(p.messageZh)));
  // A rule that does not block this line has nothing to override.
  await assert.rejects(s.call('overrideBlock', { ...base, rule: 'MAX_SUPPLY', authorizer: { operatorId: 'yaoshi', pin: '1234' } }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'NOTHING_TO_OVERRIDE');
  assert.equal(overridesBetween(db, '2026-03-01', '2026-03-31').length, 0, 'nothing recorded by the refusals');

  const out = await s.call('overrideBlock', { ...base, authorizer: { operatorId: 'yaoshi', pin: '1234' } });
  assert.equal(out.override.operator.name, '王药师');
  assert.equal(out.override.operator.role, 'pharmacist');
  assert.equal(out.override.reason, '患者外出务工需备药');
  assert.match(out.override.findingZh, /剩余30天/);
  assert.equal(out.quote.blocked, false);
  assert.deepEqual(out.quote.lines[0]!.blockedBy, []);
  assert.ok(out.quote.lines[0]!.warnings.some((w) => w.code === 'EARLY_REFILL' && /已登记放行/.test(w.message)));
  await assert.rejects(s.call('overrideBlock', { ...base, authorizer: { operatorId: 'yaoshi', pin: '1234' } }), (e: unknown) => e instanceof ServiceRefusal && (e.code === 'NOTHING_TO_OVERRIDE' || e.code === 'ALREADY_OVERRIDDEN'));

  // The clerk settles; the override is linked to that settlement and no longer open.
  const sale = await s.call('settle', { session: clerk, requestId: crypto.randomUUID(), patient: L.eligible, lines: refill });
  const rows = overridesBetween(db, '2026-03-01', '2026-03-31');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.settlementId, sale.id);
  const again = await s.call('quote', { patient: L.eligible, lines: refill });
  assert.equal(again.blocked, true, 'an override serves one sale: the next refill is checked again');

  const report = await s.call('report', { session: clerk, name: 'overrides', month: '2026-03' });
  assert.equal(report.format, 'html');
  assert.ok(report.content.includes('患者外出务工需备药') && report.content.includes('王药师（药师）') && report.content.includes(sale.id));
  assert.equal(report.summary['放行次数'], 1);
});

test('seed 001 §四 (12 weeks): an administrator signed in overrides the supply ceiling (MAX_SUPPLY) without an authoriser', async () => {
  const { s } = service('chongqing');
  const admin = await session(s, 'admin', '0000');
  const patient = FIXTURE_REGIONS.chongqing.eligible;
  const lines = [{ code: drugBarcode(1), quantity: '6', days: 85 }];
  const q = await s.call('quote', { patient, lines });
  assert.ok(q.lines[0]!.blockedBy.includes('MAX_SUPPLY'));
  const out = await s.call('overrideBlock', { session: admin, patient, lines, lineId: 'L1', rule: 'MAX_SUPPLY', reason: '偏远山区，医生注明长期处方' });
  assert.match(out.override.findingZh, /85天.*84天/);
  assert.equal(out.override.operator.roleZh, '管理员');
  assert.equal(out.quote.blocked, false);
});

test('reports: the monthly report after a settlement carries its figures in HTML with the chart, CSV and XLSX', async () => {
  const { s } = service();
  const sess = await session(s, 'yaoshi', '1234');
  const sale = await s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '2' }] });
  const html = await s.call('report', { session: sess, name: 'monthly-residents', month: '2026-03' });
  assert.ok(html.content.includes('<svg'), 'the chart is drawn');
  assert.equal(html.mime, 'text/html; charset=utf-8');
  const residents = html.summary['医疗费合计'] !== '0.00';
  const other = await s.call('report', { session: sess, name: 'monthly-employees', month: '2026-03' });
  // The one sale lands in exactly one of the two insurance reports, with its total.
  const [mine] = residents ? [html] : [other];
  assert.equal(mine!.summary['医疗费合计'], sale.total);
  assert.equal(mine!.summary['报销额合计'], sale.fund);
  assert.equal(mine!.summary['结算笔数'], 1);
  const csv = await s.call('report', { session: sess, name: mine!.name, month: '2026-03', format: 'csv' });
  assert.equal(csv.encoding, 'utf8');
  assert.ok(csv.content.startsWith('\uFEFF') && csv.content.includes(sale.total));
  assert.equal(csv.filename, `${mine!.name}-2026-03.csv`);
  const xlsx = await s.call('report', { session: sess, name: mine!.name, month: '2026-03', format: 'xlsx' });
  assert.equal(xlsx.encoding, 'base64');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(xlsx.content, 'base64') as unknown as ArrayBuffer);
  const cells: unknown[] = [];
  wb.worksheets[0]!.eachRow((r) => r.eachCell((c) => cells.push(c.value)));
  assert.ok(cells.includes(Number(sale.total)), 'the sale total is a number in the sheet');
  // Signed-in operators only; a bad month names the field.
  await assert.rejects(s.call('report', { session: 'x'.repeat(20), name: 'statistics', month: '2026-03' }), (e: unknown) => e instanceof ServiceRefusal && e.code === 'SESSION_EXPIRED');
  await assert.rejects(s.call('report', { session: sess, name: 'statistics', month: '2026-13' }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'month'));
});

test('over HTTP: /v1/report needs the screen token and a session; /v1/overrideBlock refuses a clerk with 409 and bad input with 400', async () => {
  const { startCounter } = await import('../../core/app/counter.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lbc-ovr-http-'));
  const db = openDatabase(dir);
  seedFixture(db, 'lincang');
  db.close();
  const c = await startCounter({ dataDir: dir, staticDir: null });
  try {
    const call = async (method: string, body: unknown, token: string | null = c.token) => {
      const res = await fetch(`${c.url}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { error?: { code: string; messageZh: string; problems: { path: string }[] }; content?: string; filename?: string } };
    };
    const clerk = (await call('signIn', { operatorId: 'shoufei', pin: '5678' })).body as unknown as { session: string };
    assert.equal((await call('report', { session: clerk.session, name: 'statistics', month: '2026-03' }, null)).status, 401);
    // A report is the screen's: the plugin token is refused (403); the browser shell's screen token may.
    assert.equal((await call('report', { session: clerk.session, name: 'statistics', month: '2026-03' })).status, 403);
    const exchanged = await fetch(`${c.url}/v1/screen-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: c.screenCode() }) });
    const screen = ((await exchanged.json()) as { token: string }).token;
    const ok = await call('report', { session: clerk.session, name: 'statistics', month: '2026-03' }, screen);
    assert.equal(ok.status, 200);
    assert.ok(ok.body.content!.includes('<svg') && ok.body.filename === 'statistics-2026-03.html');
    assert.equal((await call('report', { session: 'nobody-signed-in-here', name: 'statistics', month: '2026-03' }, screen)).status, 409);
    const lines = [{ code: drugBarcode(1), quantity: '1', days: 30 }];
    const settled = await call('settle', { session: clerk.session, requestId: crypto.randomUUID(), patient: L.eligible, lines });
    assert.equal(settled.status, 200);
    const refused = await call('overrideBlock', { session: clerk.session, patient: L.eligible, lines, lineId: 'L1', rule: 'EARLY_REFILL', reason: '患者外出需备药' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error!.code, 'FORBIDDEN');
    const bad = await call('overrideBlock', { session: clerk.session, patient: L.eligible, lines, lineId: 'L1', rule: 'EARLY', reason: '' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error!.problems.map((p) => p.path).sort(), ['reason', 'rule']);
  } finally {
    await c.close();
  }
});
