// 药品追溯码, batch and expiry on a sale's lines (issue 12 item 5): the codes are checked for
// shape, refused when scanned twice or when this counter (or another counter of the group,
// through the hub) sold them already; they are written with the line in the sale's transaction
// (migration 101) and travel into the fee details (platform-fields.md 2204/3505 drug_trac_codg,
// manu_lotnum, expy_end); an expired batch is refused, one within 90 days of expiry warned about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { setSetting } from '../../core/store/settings.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { soldTraceCodes, traceCodesBySettlement } from '../../core/store/trace-codes.ts';
import { buildInput } from '../../core/platform/mapping.ts';
import { loadPlatformConfig } from '../../core/platform/config.ts';
import { getSettlement, linesOf } from '../../core/store/journal.ts';
import { listen } from '../../core/hub/server.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const LC = FIXTURE_REGIONS.lincang;
const CODE_A = '81234567890123456789';
const CODE_B = '81234567890123456790';

async function counter(): Promise<{ db: DB; s: CounterService; session: string }> {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-trace-')));
  seedFixture(db, 'lincang');
  const s = new CounterService({ db, now: () => NOW });
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  return { db, s, session };
}

const line = (extra: Record<string, unknown> = {}) => ({ code: drugBarcode(1), quantity: '2', ...extra });

function refusedWith(code: string, zh: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.code, code);
    assert.match(e.messageZh, zh);
    return true;
  };
}

test('a sale keeps its trace codes by line (one transaction), and the fee details carry them with batch and expiry', async () => {
  const { db, s, session } = await counter();
  const sale = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ traceCodes: [CODE_A, CODE_B], batch: 'B2406', expiry: '2027-06-30', usage: { dose: '5mg', frequency: '每日一次', route: '口服' }, days: 30 })] });
  const lineId = linesOf(db, sale.id)[0]!.id;
  assert.deepEqual(traceCodesBySettlement(db, sale.id).get(lineId), [CODE_A, CODE_B]);
  assert.deepEqual(soldTraceCodes(db, [CODE_A, '89999999999999999999']).map((x) => [x.code, x.receiptNo]), [[CODE_A, sale.receiptNo]]);
  const row = getSettlement(db, sale.id)!;
  const region = loadPlatformConfig().region('lincang');
  const patient = JSON.parse(row.patient_json);
  const msg = buildInput({ action: 'fees', infno: '2204' }, { region, record: row, sale: row, patient, lines: linesOf(db, sale.id), amounts: { total: row.total, inScope: row.in_scope }, mdtrtId: 'M1', target: null, hints: false, at: NOW }) as { feedetail: Record<string, unknown>[] };
  const fee = msg.feedetail[0]!;
  assert.equal(fee.drug_trac_codg, `${CODE_A},${CODE_B}`);
  assert.equal(fee.manu_lotnum, 'B2406');
  assert.equal(fee.expy_end, '2027-06-30');
  assert.equal(fee.sin_dos_dscr, '5mg');
  assert.equal(fee.used_frqu_dscr, '每日一次');
  assert.equal(fee.medc_way_dscr, '口服');
  assert.equal(fee.prd_days, '30');
});

test('a code already sold here is refused in Chinese naming the receipt; nothing of the second sale is written', async () => {
  const { db, s, session } = await counter();
  const first = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ quantity: '1', traceCodes: [CODE_A] })] });
  const before = db.prepare('SELECT COUNT(*) AS n FROM settlement').get() as { n: number };
  await assert.rejects(s.call('quote', { patient: LC.eligible, lines: [line({ quantity: '1', traceCodes: [CODE_A] })] }), refusedWith('TRACE_CODE_SOLD', new RegExp(`${CODE_A} 已售出.*${first.receiptNo}`)));
  await assert.rejects(s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ quantity: '1', traceCodes: [CODE_A] })] }), refusedWith('TRACE_CODE_SOLD', /不能重复销售/));
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM settlement').get() as { n: number }).n, before.n);
  // The table's key refuses it even past the pipeline's check.
  assert.throws(() => db.prepare(`INSERT INTO line_trace_codes (code, line_id, settlement_id, sold_at) SELECT code, line_id, settlement_id, 'x' FROM line_trace_codes`).run(), /UNIQUE/);
});

test('shape, duplicates in one sale and more codes than packages are refused naming the field', async () => {
  const { s } = await counter();
  await assert.rejects(s.call('quote', { patient: LC.eligible, lines: [line({ traceCodes: ['1234'] })] }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path.startsWith('lines.0.traceCodes')));
  await assert.rejects(s.call('quote', { patient: LC.eligible, lines: [line({ traceCodes: [CODE_A, CODE_A] })] }), refusedWith('INVALID_TRACE_CODES', /重复扫描/));
  await assert.rejects(s.call('quote', { patient: LC.eligible, lines: [line({ quantity: '1', traceCodes: [CODE_A, CODE_B] })] }), refusedWith('INVALID_TRACE_CODES', /扫了 2 个追溯码/));
});

test('an expired batch is refused; one expiring within 90 days is warned about on the quote', async () => {
  const { s } = await counter();
  await assert.rejects(s.call('quote', { patient: LC.eligible, lines: [line({ batch: 'OLD1', expiry: '2026-03-09' })] }), refusedWith('EXPIRED', /批号 OLD1.*已于 2026-03-09 过期/));
  const near = await s.call('quote', { patient: LC.eligible, lines: [line({ batch: 'N1', expiry: '2026-05-01' })] });
  assert.ok(near.lines[0]!.warnings.some((w) => w.code === 'NEAR_EXPIRY' && /有效期至 2026-05-01，还剩 52 天/.test(w.message)), JSON.stringify(near.lines[0]!.warnings));
  const far = await s.call('quote', { patient: LC.eligible, lines: [line({ batch: 'F1', expiry: '2026-06-09' })] });
  assert.ok(!far.lines[0]!.warnings.some((w) => w.code === 'NEAR_EXPIRY'));
});

test('where the region requires trace codes, a sale short of one per package is refused before settling (quote still answers)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-trace-cfg-'));
  const file = join(dir, 'provinces.json');
  const bundled = JSON.parse(JSON.stringify(loadPlatformConfig()['file' as never])) as { regions: Record<string, Record<string, unknown>> };
  bundled.regions.lincang!.traceCodesRequired = true;
  writeFileSync(file, JSON.stringify(bundled));
  process.env.LBC_PLATFORM_CONFIG = file;
  try {
    const { s, session } = await counter();
    await s.call('quote', { patient: LC.eligible, lines: [line({ traceCodes: [CODE_A] })] });
    await assert.rejects(s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ traceCodes: [CODE_A] })] }), refusedWith('TRACE_CODES_REQUIRED', /需 2 个，已扫 1 个/));
    const ok = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ traceCodes: [CODE_A, CODE_B] })] });
    assert.ok(ok.receiptNo);
  } finally {
    delete process.env.LBC_PLATFORM_CONFIG;
  }
});

async function stubHub(handler: (body: { settlementId: string; codes: string[] }) => unknown | null): Promise<{ server: Server; url: string; seen: { settlementId: string; codes: string[] }[] }> {
  const seen: { settlementId: string; codes: string[] }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text) as { settlementId: string; codes: string[] };
      seen.push(body);
      const reply = handler(body);
      if (reply === null) return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  return { server, url: `http://127.0.0.1:${await listen(server)}`, seen };
}

test('with a hub configured: a code another counter sold is refused; the claim is made under the settlement id that commits', async () => {
  const hub = await stubHub((b) => (b.codes.includes(CODE_B) ? { claimed: b.codes.filter((c) => c !== CODE_B), refused: [{ code: CODE_B, counterId: 'c-other', settlementId: 'sale-x' }] } : { claimed: b.codes, refused: [] }));
  try {
    const { db, s, session } = await counter();
    setSetting(db, 'hub.link', { url: hub.url, counterId: 'c-here', secret: 'x'.repeat(24) });
    await assert.rejects(s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ traceCodes: [CODE_A, CODE_B] })] }), refusedWith('TRACE_CODE_SOLD', /其他门店售出/));
    assert.equal(soldTraceCodes(db, [CODE_A, CODE_B]).length, 0);
    const ok = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ quantity: '1', traceCodes: [CODE_A] })] });
    assert.equal(hub.seen.at(-1)!.settlementId, ok.id);
  } finally {
    hub.server.closeAllConnections();
    hub.server.close();
  }
});

test('a hub that does not answer within the short timeout leaves the counter settling on its own journal', async () => {
  const hub = await stubHub(() => null);
  try {
    const { db, s, session } = await counter();
    setSetting(db, 'hub.link', { url: hub.url, counterId: 'c-here', secret: 'x'.repeat(24) });
    const t0 = Date.now();
    const ok = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [line({ quantity: '1', traceCodes: [CODE_A] })] });
    assert.ok(Date.now() - t0 < 4000);
    assert.equal(soldTraceCodes(db, [CODE_A])[0]!.settlementId, ok.id);
  } finally {
    hub.server.closeAllConnections();
    hub.server.close();
  }
});
