// The loopback plugin API: token file (mode 0600), loopback binding, bearer auth, Host check,
// 400 with field problems (English + Chinese), 409 for business refusals, OpenAPI from the
// zod schemas, the browser shell's static files with CSP; settling through it records the operator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateToken, tokenPath } from '../../core/http/token.ts';
import { startCounter, type RunningCounter } from '../../core/app/counter.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { openDatabase } from '../../core/store/db.ts';
import { settlementOperator } from '../../core/store/counter.ts';
import { METHOD_NAMES, openTo } from '../../core/service/contract.ts';

let c: RunningCounter;
let dir: string;
const L = FIXTURE_REGIONS.lincang;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lbc-http-'));
  const db = openDatabase(dir);
  seedFixture(db, 'lincang');
  db.close();
  const web = join(dir, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>counter</title>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  c = await startCounter({ dataDir: dir, staticDir: web });
});
after(async () => {
  await c.close();
});

async function call(method: string, body: unknown, token: string | null = c.token) {
  const res = await fetch(`${c.url}/v1/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function rawGet(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.http.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('the token is created once, 43+ url-safe characters, file mode 0600, and reused', () => {
  const d = mkdtempSync(join(tmpdir(), 'lbc-token-'));
  const t1 = loadOrCreateToken(d);
  assert.match(t1, /^[A-Za-z0-9_-]{43,}$/);
  if (process.platform !== 'win32') assert.equal(statSync(tokenPath(d)).mode & 0o777, 0o600);
  assert.equal(loadOrCreateToken(d), t1);
  writeFileSync(tokenPath(d), 'short', { mode: 0o644 });
  const t2 = loadOrCreateToken(d);
  assert.notEqual(t2, 'short', 'a damaged token file is replaced');
  if (process.platform !== 'win32') assert.equal(statSync(tokenPath(d)).mode & 0o777, 0o600);
  assert.equal(readFileSync(tokenPath(dir), 'utf8').trim(), c.token);
});

test('the server listens on 127.0.0.1 only', () => {
  const addr = c.http.server.address();
  assert.ok(addr && typeof addr === 'object');
  assert.equal(addr.address, '127.0.0.1');
});

test('no token or a wrong token: 401; a foreign Host header: 421', async () => {
  assert.equal((await call('outboxStatus', {}, null)).status, 401);
  const wrong = await call('outboxStatus', {}, 'x'.repeat(43));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.code, 'UNAUTHORIZED');
  assert.equal(await rawGet('/', 'evil.example:80'), 421);
  assert.equal(await rawGet('/', `127.0.0.1:${c.http.port}`), 200);
});

test('bad input: 400 naming each field with English and Chinese reasons', async () => {
  const r = await call('quote', { patient: '', lines: [{ code: 'X', quantity: '-1' }] });
  assert.equal(r.status, 400);
  const paths = r.body.error.problems.map((p: any) => p.path);
  assert.ok(paths.includes('patient'));
  assert.ok(paths.includes('lines.0.quantity'));
  const q = r.body.error.problems.find((p: any) => p.path === 'lines.0.quantity');
  assert.match(q.message, /negative/);
  assert.equal(q.messageZh, '数量不能为负数');
  const bad = await call('quote', '{not json');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'MALFORMED_JSON');
  assert.equal((await call('nope', {})).status, 404);
});

test('OpenAPI is generated from the same schemas, with exactly the plugin methods and the bearer scheme', async () => {
  const res = await fetch(`${c.url}/v1/openapi.json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as any;
  assert.equal(doc.openapi, '3.1.0');
  const plugin = METHOD_NAMES.filter((m) => openTo(m, 'plugin'));
  assert.deepEqual(Object.keys(doc.paths).sort(), plugin.map((m) => `/v1/${m}`).sort());
  for (const m of ['lookup', 'quote', 'settle', 'reverse', 'outboxStatus'] as const) assert.ok(doc.paths[`/v1/${m}`], `missing ${m}`);
  for (const m of ['saveSettings', 'createOperator', 'report', 'getSettings'] as const) assert.equal(doc.paths[`/v1/${m}`], undefined, `${m} is not a plugin method`);
  const settle = doc.paths['/v1/settle'].post;
  assert.deepEqual(settle.requestBody.content['application/json'].schema.required.sort(), ['lines', 'patient', 'requestId', 'session']);
  assert.ok(doc.components.securitySchemes.bearer);
});

test('static files: the screen with a strict CSP; no path escapes the folder', async () => {
  const res = await fetch(`${c.url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal((await fetch(`${c.url}/assets/app.js`)).headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await rawGet('/../secret.txt', `127.0.0.1:${c.http.port}`), 404);
  assert.equal(await rawGet('/%2e%2e/secret.txt', `127.0.0.1:${c.http.port}`), 404);
  assert.equal((await fetch(`${c.url}/settings`)).status, 200, 'client routes fall back to the screen');
});

test('a settlement through the plugin API records the signed-in operator and is idempotent on requestId', async () => {
  assert.equal((await call('settle', { session: 'x'.repeat(20), requestId: crypto.randomUUID(), patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] })).status, 409);
  const bad = await call('signIn', { operatorId: 'yaoshi', pin: '9999' });
  assert.equal(bad.status, 409);
  assert.equal(bad.body.error.messageZh, '账号或 PIN 不正确');
  const s = await call('signIn', { operatorId: 'yaoshi', pin: '1234' });
  assert.equal(s.status, 200);
  const requestId = crypto.randomUUID();
  const body = { session: s.body.session, requestId, patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '2' }, { code: 'YP0002', quantity: 1 }] };
  const first = await call('settle', body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.operator.name, '王药师');
  assert.equal(first.body.total, '17.40');
  // seed 000 §二.(二).3: VBP drugs 90% → 17.40 × 0.9 = 15.66
  assert.equal(first.body.fund, '15.66');
  const again = await call('settle', body);
  assert.equal(again.body.id, first.body.id, 'the same requestId returns the same settlement');
  const db = openDatabase(dir, { readonly: true });
  try {
    assert.equal(settlementOperator(db, first.body.id)?.operatorRole, 'pharmacist');
  } finally {
    db.close();
  }
  const status = await call('outboxStatus', {});
  assert.equal(status.body.waiting + status.body.uploaded, status.body.total);
  assert.ok(status.body.total >= 1);
});

test('an ineligible patient: the lookup says why in Chinese; settling is refused with 409', async () => {
  const look = await call('lookup', { input: L.ineligible });
  assert.equal(look.status, 200);
  assert.equal(look.body.patient.eligible, false);
  assert.match(look.body.patient.reasons[0].message, L.ineligibleReason);
  const s = await call('signIn', { operatorId: 'shoufei', pin: '5678' });
  const r = await call('settle', { session: s.body.session, requestId: crypto.randomUUID(), patient: L.ineligible, lines: [{ code: drugBarcode(1), quantity: '1' }] });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'NOT_ELIGIBLE');
  assert.match(r.body.error.messageZh, /不享受两病待遇/);
});

test('an unknown item code: 400 at lines.N.code', async () => {
  const r = await call('quote', { patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }, { code: 'NO-SUCH-CODE', quantity: '1' }] });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.problems[0].path, 'lines.1.code');
  assert.match(r.body.error.problems[0].messageZh, /目录中没有/);
});

test('one writer per data directory: a second counter on the same directory is refused in words', async () => {
  await assert.rejects(startCounter({ dataDir: dir, staticDir: null }), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'DATA_DIR_LOCKED' && /只能打开一个/.test((e as unknown as { messageZh: string }).messageZh));
});

test('a taken port fails cleanly: the lock and database are released so the caller can retry elsewhere', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lbc-port-'));
  await assert.rejects(startCounter({ dataDir: d, port: c.http.port, staticDir: null, uploader: null }), (e: unknown) => (e as NodeJS.ErrnoException).code === 'EADDRINUSE');
  const again = await startCounter({ dataDir: d, port: 0, staticDir: null, uploader: null });
  assert.ok(again.http.port > 0);
  await again.close();
});
