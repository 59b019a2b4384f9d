// A sale's body is strict on every surface (issue 11: unknown fields in a sale are refused, never
// silently dropped): the plugin HTTP API (400 naming the field), the CLI (exit 2 naming it) and the
// shell's IPC core host that the screen's preload bridge reaches, for the two-disease sale
// (quote, settle) and the cash sale (self-pay / out-of-area). And a cash sale's requestId is bound
// to its content as a settlement's is (issue 13 item 6): the same requestId with another body is
// refused with 409 naming the key, the same body returns the first sale; migration 135 adds the hash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningCounter } from '../../core/app/counter.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { openDatabase } from '../../core/store/db.ts';
import { serveCore } from '../../core/app/core-host.ts';
import type { CoreReply } from '../../core/app/core-protocol.ts';
import { startFixtureCounter } from '../helpers/fixture-counter.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const L = FIXTURE_REGIONS.lincang;
const line = { code: drugBarcode(1), quantity: '1' };

/** Each sale body with one unknown field, and the path the refusal must name. */
const unknownFieldBodies = (base: Record<string, unknown>, cashBase: Record<string, unknown>): { method: 'quote' | 'settle' | 'cashSale'; body: Record<string, unknown>; path: string }[] => [
  { method: 'quote', body: { ...base, discount: '1.00' }, path: 'discount' },
  { method: 'settle', body: { ...base, requestId: crypto.randomUUID(), payment_method: 'cash' }, path: 'payment_method' },
  { method: 'settle', body: { ...base, requestId: crypto.randomUUID(), lines: [{ ...line, unitPrice: '0.01' }] }, path: 'lines.0' },
  { method: 'cashSale', body: { ...cashBase, requestId: crypto.randomUUID(), insuranceFund: '5.00' }, path: 'insuranceFund' },
  { method: 'cashSale', body: { ...cashBase, requestId: crypto.randomUUID(), lines: [{ ...line, price: '0.01' }] }, path: 'lines.0' },
  { method: 'cashSale', body: { ...cashBase, requestId: crypto.randomUUID(), kind: 'out-of-area', person: { name: '钱多多', fund: '9' } }, path: 'person' },
];
const names = (problems: { path: string; message: string }[], path: string) => problems.some((p) => p.path === path || (p.path.startsWith(path) && /unrecognized|unknown/i.test(p.message)));

let c: RunningCounter;
let dir: string;
before(async () => {
  ({ c, dir } = await startFixtureCounter('lbc-strict-http-'));
});
after(async () => {
  await c.close();
});

async function call(method: string, body: unknown) {
  const res = await fetch(`${c.url}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

test('HTTP: every sale body with an unknown field is refused 400, naming the field; nothing is written', async () => {
  const session = (await call('signIn', { operatorId: 'yaoshi', pin: '1234' })).body.session as string;
  const base = { session, patient: L.eligible, lines: [line] };
  const cashBase = { session, kind: 'self-pay', patient: L.eligible, lines: [line] };
  for (const { method, body, path } of unknownFieldBodies(base, cashBase)) {
    const r = await call(method, method === 'quote' ? { patient: body.patient, lines: body.lines, discount: body.discount } : body);
    assert.equal(r.status, 400, `${method} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    assert.ok(names(r.body.error.problems, path), `${method}: names ${path}: ${JSON.stringify(r.body.error.problems)}`);
  }
  const db = openDatabase(dir);
  try {
    assert.equal((db.prepare('SELECT count(*) AS n FROM settlement').get() as { n: number }).n, 0);
    assert.equal((db.prepare('SELECT count(*) AS n FROM cash_sales').get() as { n: number }).n, 0);
  } finally {
    db.close();
  }
});

test('HTTP (issue 13 item 6): a cash sale\'s requestId with another body is 409 naming the key; the same body returns the first sale', async () => {
  const session = (await call('signIn', { operatorId: 'yaoshi', pin: '1234' })).body.session as string;
  const requestId = crypto.randomUUID();
  const body = { session, requestId, kind: 'self-pay', patient: L.eligible, lines: [line], reason: '未备案病种' };
  const first = await call('cashSale', body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const again = await call('cashSale', { ...body, layout: '80mm' });
  assert.equal(again.status, 200, 'a reprint in another layout is the same request');
  assert.deepEqual([again.body.id, again.body.receiptNo], [first.body.id, first.body.receiptNo]);
  for (const other of [{ ...body, lines: [{ ...line, quantity: '2' }] }, { ...body, reason: '另一原因' }, { ...body, date: '2025-06-30' }]) {
    const r = await call('cashSale', other);
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'IDEMPOTENCY_CONFLICT');
    assert.ok(r.body.error.message.includes(requestId), 'the English message names the key');
    assert.ok(r.body.error.messageZh.includes(requestId), 'so does the Chinese one');
    assert.ok(r.body.error.problems.some((p: { path: string }) => p.path === 'requestId'));
  }
  const db = openDatabase(dir);
  try {
    assert.equal((db.prepare('SELECT count(*) AS n FROM cash_sales WHERE request_id = ?').get(requestId) as { n: number }).n, 1, 'one sale for the key');
  } finally {
    db.close();
  }
});

test('migration 135 adds cash_sales.request_hash to a database stopped before it; a sale recorded before it replays by requestId alone', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lbc-m135-'));
  const old = openDatabase(d, { targetVersion: 107 });
  const cols = (db: typeof old) => (db.prepare('PRAGMA table_info(cash_sales)').all() as { name: string }[]).map((x) => x.name);
  assert.ok(!cols(old).includes('request_hash'));
  old
    .prepare(
      `INSERT INTO cash_sales (id, request_id, kind, receipt_no, sale_date, created_at, operator_id, operator_name, psn_no, patient_json, lines_json, total_fen, reason)
       VALUES ('old1', '0190a1b2-0000-7000-8000-000000000001', 'self-pay', 'Z2025070100001', '2025-07-01', '2025-07-01T02:00:00Z', 'yaoshi', '王药师', NULL, '{"name":"张三","certno":null,"insuredRegion":null,"insurance":null,"conditions":[]}', '[]', 100, NULL)`,
    )
    .run();
  old.close();
  const db = openDatabase(d);
  try {
    assert.ok(cols(db).includes('request_hash'));
    assert.equal((db.prepare("SELECT request_hash FROM cash_sales WHERE id = 'old1'").get() as { request_hash: string | null }).request_hash, null);
    const { recordCashSale } = await import('../../core/cash/index.ts');
    seedFixture(db, 'lincang');
    const replay = recordCashSale(db, { requestId: '0190a1b2-0000-7000-8000-000000000001', kind: 'self-pay', date: '2025-07-01', person: { name: '张三' }, lines: [line], operator: { id: 'yaoshi', name: '王药师' }, requestHash: 'a'.repeat(64) });
    assert.equal(replay.id, 'old1', 'no hash on file: the key alone answers, as before');
  } finally {
    db.close();
    rmSync(d, { recursive: true, force: true });
  }
});

function cli(args: string[], input: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', input });
  return { code: r.status, err: r.stderr, out: r.stdout };
}

test('CLI: quote, settle and cash refuse a sale with an unknown field (exit 2, the field named); cash refuses a reused requestId with another body', () => {
  const data = mkdtempSync(join(tmpdir(), 'lbc-strict-cli-'));
  const db = openDatabase(data);
  seedFixture(db, 'lincang');
  db.close();
  const operator = { id: 'yaoshi', name: '王药师' };
  const settle = cli(['settle', '--data', data], JSON.stringify({ patient: L.eligible, date: '2025-07-01', lines: [line], operator, discount: '1.00' }));
  assert.equal(settle.code, 2, settle.err);
  assert.ok(JSON.parse(settle.err).error.problems.some((p: { path: string }) => p.path === 'discount'), settle.err);
  const cashLine = cli(['cash', 'self-pay', '--data', data], JSON.stringify({ requestId: crypto.randomUUID(), date: '2025-07-01', patient: L.eligible, lines: [{ ...line, price: '0.01' }] }));
  assert.equal(cashLine.code, 2, cashLine.err);
  assert.ok(JSON.parse(cashLine.err).error.problems.some((p: { path: string }) => p.path.startsWith('lines.0')), cashLine.err);
  const cashTop = cli(['cash', 'self-pay', '--data', data], JSON.stringify({ requestId: crypto.randomUUID(), date: '2025-07-01', patient: L.eligible, lines: [line], fund: '5.00' }));
  assert.equal(cashTop.code, 2, cashTop.err);
  assert.ok(JSON.parse(cashTop.err).error.problems.some((p: { path: string }) => p.path === 'fund'), cashTop.err);

  // The engine's own request (cli quote) is strict too, at every level.
  const request = JSON.parse(readFileSync(join(ROOT, 'resources/examples/quote-lincang.json'), 'utf8')) as Record<string, any>;
  for (const [bad, path] of [
    [{ ...request, discount: '1' }, 'discount'],
    [{ ...request, patient: { ...request.patient, vip: true } }, 'patient'],
    [{ ...request, lines: [{ ...request.lines[0], fund: '9' }, ...request.lines.slice(1)] }, 'lines.0'],
  ] as const) {
    const q = cli(['quote'], JSON.stringify(bad));
    assert.equal(q.code, 2, q.err);
    assert.ok(JSON.parse(q.err).error.problems.some((p: { path: string }) => p.path.startsWith(path)), `${path}: ${q.err}`);
  }
  assert.equal(cli(['quote'], JSON.stringify(request)).code, 0, 'the same request without the unknown field quotes');

  const requestId = crypto.randomUUID();
  const sale = { requestId, date: '2025-07-01', patient: L.eligible, lines: [line] };
  const first = cli(['cash', 'self-pay', '--data', data], JSON.stringify(sale));
  assert.equal(first.code, 0, first.err);
  const same = cli(['cash', 'self-pay', '--data', data], JSON.stringify(sale));
  assert.equal(JSON.parse(same.out).id, JSON.parse(first.out).id);
  const other = cli(['cash', 'self-pay', '--data', data], JSON.stringify({ ...sale, lines: [{ ...line, quantity: '3' }] }));
  assert.notEqual(other.code, 0);
  assert.equal(JSON.parse(other.err).error.code, 'IDEMPOTENCY_CONFLICT');
  assert.ok(JSON.parse(other.err).error.message.includes(requestId));
});

function fakePort() {
  let listener: (data: unknown) => void = () => {};
  const waiters = new Map<number, (r: CoreReply) => void>();
  let onExit: () => void = () => {};
  const exited = new Promise<void>((r) => (onExit = r));
  serveCore({ onMessage: (l) => (listener = l), post: (r) => waiters.get(r.id)?.(r) }, { exit: () => onExit(), log: () => {} });
  return {
    exited,
    send: (m: unknown) => listener(m),
    ask: (m: { id: number } & Record<string, unknown>) =>
      new Promise<CoreReply>((resolve) => {
        waiters.set(m.id, resolve);
        listener(m);
      }),
  };
}

test('IPC (the core host the screen\'s preload bridge calls): every sale body with an unknown field is refused, naming the field', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lbc-strict-ipc-'));
  const port = fakePort();
  try {
    const opened = await port.ask({ id: 1, kind: 'open', dataDir, port: 0, demoRegion: 'lincang' });
    assert.equal(opened.ok, true, JSON.stringify(opened));
    const signed = await port.ask({ id: 2, kind: 'call', method: 'signIn', input: { operatorId: 'yaoshi', pin: '1234' } });
    assert.ok(signed.ok, JSON.stringify(signed));
    const session = (signed.value as { session: string }).session;
    const patient = '530902DM0101';
    const ipcLine = { code: 'YP0001', quantity: '1' };
    const bodies = unknownFieldBodies({ session, patient, lines: [ipcLine] }, { session, kind: 'self-pay', patient, lines: [ipcLine] }).map((b) => ({
      ...b,
      body: JSON.parse(JSON.stringify(b.body).replaceAll(JSON.stringify(line.code), JSON.stringify(ipcLine.code))) as Record<string, unknown>,
    }));
    let id = 10;
    for (const { method, body, path } of bodies) {
      const input = method === 'quote' ? { patient: body.patient, lines: body.lines, discount: body.discount } : body;
      const r = await port.ask({ id: id++, kind: 'call', method, input });
      assert.equal(r.ok, false, `${method} accepted ${JSON.stringify(input)}`);
      assert.ok(!r.ok && names(r.error.problems, path), `${method}: names ${path}: ${JSON.stringify(!r.ok && r.error)}`);
    }
    // The same bodies without the unknown field go through (the refusal was the field, not the sale).
    const ok = await port.ask({ id: id++, kind: 'call', method: 'quote', input: { patient, lines: [ipcLine] } });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    port.send({ kind: 'close' });
    await port.exited;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
