// The two credentials of the loopback server, on a real counter: the plugin token (host POS)
// reaches the plugin methods only — a screen or administrator method answers it 403, naming the
// method, even with an administrator's session; the browser shell's screen token, from a one-time
// code exchanged once, reaches the screen's methods; an admin method also needs an admin session.
// The browser's command line (visible in `ps`) carries nothing that works as a credential or a code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type RunningCounter } from '../../core/app/counter.ts';
import { browserArgs, screenUrl, writeLaunchPage } from '../../core/app/start.ts';
import { FIXTURE_REGIONS } from '../../core/app/fixture.ts';
import { METHOD_NAMES, openTo, SCREEN_METHODS, needsAdmin } from '../../core/service/contract.ts';
import { startFixtureCounter } from '../helpers/fixture-counter.ts';

let c: RunningCounter;
let dir: string;

before(async () => {
  ({ c, dir } = await startFixtureCounter('lbc-cred-'));
});
after(async () => {
  await c.close();
});

async function call(method: string, body: unknown, token: string | null) {
  const res = await fetch(`${c.url}/v1/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function exchange(code: unknown) {
  const res = await fetch(`${c.url}/v1/screen-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  return { status: res.status, body: (await res.json()) as any };
}

async function screenToken(): Promise<string> {
  const r = await exchange(c.screenCode());
  assert.equal(r.status, 200);
  return r.body.token as string;
}

const signIn = async (operatorId: string, pin: string, token: string) => (await call('signIn', { operatorId, pin }, token)).body.session as string;

test('the plugin token calling a screen or administrator method: 403 naming the method, in English and Chinese', async () => {
  const notPlugin = METHOD_NAMES.filter((m) => !openTo(m, 'plugin'));
  assert.ok(notPlugin.includes('saveSettings') && notPlugin.includes('createOperator') && notPlugin.includes('report'));
  for (const m of notPlugin) {
    const r = await call(m, {}, c.token);
    assert.equal(r.status, 403, `${m} answered the plugin token with ${r.status}`);
    assert.equal(r.body.error.code, 'NOT_A_PLUGIN_METHOD');
    assert.ok(r.body.error.message.includes(m), r.body.error.message);
    assert.ok(r.body.error.messageZh.includes(m) && /柜台界面/.test(r.body.error.messageZh), r.body.error.messageZh);
  }
});

test('the plugin token with an administrator PIN still cannot change settings or the platform endpoint', async () => {
  const admin = await signIn('admin', '0000', c.token);
  assert.ok(admin, 'signIn is a plugin method');
  const screen = await screenToken();
  const current = (await call('getSettings', {}, screen)).body.settings;
  const hostile = { ...current, platform: { endpoint: 'http://attacker.example/' } };
  const r = await call('saveSettings', { session: admin, settings: hostile }, c.token);
  assert.equal(r.status, 403);
  assert.match(r.body.error.messageZh, /管理员/);
  const create = await call('createOperator', { session: admin, id: 'intruder', name: '外人', role: 'admin', pin: '1111' }, c.token);
  assert.equal(create.status, 403);
  const after = (await call('getSettings', {}, screen)).body.settings;
  assert.equal(after.platform.endpoint, current.platform.endpoint, 'the endpoint did not change');
  assert.ok(!(await call('operators', {}, screen)).body.items.some((o: { id: string }) => o.id === 'intruder'));
});

test('the screen token reaches every screen method; an admin method also needs an administrator session', async () => {
  const screen = await screenToken();
  for (const m of SCREEN_METHODS) {
    const r = await call(m, {}, screen);
    // Authorised: the request reaches the method (a 400 for the empty body, or its answer), never 401/403.
    assert.ok(![401, 403].includes(r.status), `${m} refused the screen token with ${r.status}`);
  }
  assert.equal((await call('getSettings', {}, screen)).status, 200);
  assert.equal((await call('lookup', { input: FIXTURE_REGIONS.lincang.eligible }, screen)).status, 200, 'plugin methods are the screen\'s too');
  const clerk = await signIn('shoufei', '5678', screen);
  const admin = await signIn('admin', '0000', screen);
  const settings = (await call('getSettings', {}, screen)).body.settings;
  assert.ok(SCREEN_METHODS.filter((m) => needsAdmin(m)).includes('saveSettings'));
  const byClerk = await call('saveSettings', { session: clerk, settings }, screen);
  assert.equal(byClerk.status, 409);
  assert.equal(byClerk.body.error.code, 'FORBIDDEN');
  const byAdmin = await call('saveSettings', { session: admin, settings: { ...settings, printers: { ...settings.printers, receipt: 'XP-80C' } } }, screen);
  assert.equal(byAdmin.status, 200, JSON.stringify(byAdmin.body));
  assert.equal(byAdmin.body.settings.printers.receipt, 'XP-80C');
  const noSession = await call('createOperator', { id: 'p9', name: '新人', role: 'clerk', pin: '1111' }, screen);
  assert.equal(noSession.status, 409, 'operators exist: adding one needs an administrator');
  const created = await call('createOperator', { session: admin, id: 'p9', name: '新人', role: 'clerk', pin: '1111' }, screen);
  assert.equal(created.status, 200);
});

test('the one-time code: works once; the second use, a made-up code and the plugin token as a code are refused', async () => {
  const code = c.screenCode();
  const first = await exchange(code);
  assert.equal(first.status, 200);
  assert.match(first.body.token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(first.body.token, c.token);
  const second = await exchange(code);
  assert.equal(second.status, 401);
  assert.equal(second.body.error.code, 'SCREEN_CODE_REFUSED');
  assert.match(second.body.error.messageZh, /只能使用一次/);
  assert.equal((await exchange('A'.repeat(22))).status, 401);
  assert.equal((await exchange(c.token)).status, 401);
  assert.equal((await exchange(42)).status, 401);
  // Only POST with JSON: a cross-site form post cannot spend (or probe) a code.
  const form = await fetch(`${c.url}/v1/screen-session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `code=${c.screenCode()}` });
  assert.equal(form.status, 415);
  assert.equal((await fetch(`${c.url}/v1/screen-session`)).status, 405);
  // A screen token is not a plugin token's stand-in the other way round either: a code is no bearer.
  assert.equal((await call('outboxStatus', {}, c.screenCode())).status, 401);
});

test('the browser\'s command line (ps) holds no credential and no code: only the path of an owner-only launch page', async () => {
  const url = screenUrl(c.url, c.screenCode());
  const page = writeLaunchPage(join(dir, 'launch'), url);
  const args = browserArgs(page, join(dir, 'chromium-profile'));
  const line = args.join(' ');
  assert.ok(!line.includes(c.token), 'the plugin token is not on the command line');
  const code = /#code=([A-Za-z0-9_-]+)$/.exec(url)![1]!;
  assert.ok(!line.includes(code), 'the one-time code is not on the command line');
  // Nothing on it works as a bearer credential or as a code.
  const candidates = line.match(/[A-Za-z0-9_-]{16,}/g) ?? [];
  assert.ok(candidates.length > 0);
  for (const s of candidates) {
    assert.equal((await call('outboxStatus', {}, s)).status, 401, `${s} worked as a credential`);
    assert.equal((await exchange(s)).status, 401, `${s} worked as a code`);
  }
  // Chromium opens the launch page (owner-only), which forwards to the screen's address.
  const app = new URL(args.find((a) => a.startsWith('--app='))!.slice('--app='.length));
  assert.equal(app.protocol, 'file:');
  assert.equal(fileURLToPath(app), page);
  if (process.platform !== 'win32') {
    assert.equal(statSync(page).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'launch')).mode & 0o777, 0o700);
  }
  const forward = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(readFileSync(page, 'utf8'))![1]!;
  assert.equal(forward, url);
  // The address carries the code in its fragment (never sent in a request line); the page spends it once.
  const target = new URL(forward);
  assert.equal(target.origin, c.url);
  assert.equal(target.search, '');
  const token = (await exchange(code)).body.token as string;
  assert.equal((await call('attention', {}, token)).status, 200);
  assert.equal((await exchange(code)).status, 401, 'the launch page is worthless once the screen has loaded');
});
