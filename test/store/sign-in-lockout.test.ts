// PIN sign-in is throttled per operator and per source (issue 13 reproduction 8: on main every
// 4-digit PIN could be tried in about nine minutes). The clock is injected; the PINs are checked
// against the real scrypt hashes in a real database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { seedFixture } from '../../core/app/fixture.ts';
import { CounterService, ServiceRefusal } from '../../core/service/index.ts';
import { startCounter } from '../../core/app/counter.ts';
import { SignInGuard } from '../../core/service/sign-in-guard.ts';
import { scryptSync } from 'node:crypto';

function setup() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-pin-')));
  seedFixture(db, 'lincang');
  let t = 1_000_000;
  const logs: string[] = [];
  const s = new CounterService({ db, guardClock: () => t, log: (l) => logs.push(l) });
  return { s, logs, advance: (ms: number) => (t += ms), db };
}

async function refusalOf(p: Promise<unknown>): Promise<ServiceRefusal> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ServiceRefusal) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

test('after three wrong PINs the operator is locked for a delay that doubles; a right PIN during it is not even checked', async () => {
  const { s, advance, logs } = setup();
  for (let i = 0; i < 3; i++) assert.equal((await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '9876' }))).code, 'SIGN_IN_FAILED');
  const fourth = await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '9876' }));
  assert.equal(fourth.code, 'SIGN_IN_LOCKED');
  assert.equal(fourth.messageZh, '连续输错，请 5 秒后再试');
  assert.equal(fourth.problems[0]!.path, 'pin');
  // The right PIN while locked: refused all the same (a guesser learns nothing from it).
  const right = await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '1234' }));
  assert.equal(right.code, 'SIGN_IN_LOCKED');
  advance(4_000);
  assert.equal((await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '1234' }))).messageZh, '连续输错，请 1 秒后再试');
  advance(1_000);
  // Wrong again after the wait: the delay doubles.
  assert.equal((await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '9876' }))).messageZh, '连续输错，请 10 秒后再试');
  advance(10_000);
  assert.equal((await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '9876' }))).messageZh, '连续输错，请 20 秒后再试');
  advance(20_000);
  const ok = await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' });
  assert.equal(ok.operator.id, 'yaoshi');
  // A success clears the count: three free mistakes again.
  for (let i = 0; i < 3; i++) assert.equal((await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '9876' }))).code, 'SIGN_IN_FAILED');
  // Logged in English, naming operator and source, never the PIN.
  assert.ok(logs.some((l) => /sign-in failed: .*yaoshi from screen/.test(l)));
  assert.ok(logs.some((l) => /locked for 5 s/.test(l)));
  assert.ok(logs.some((l) => /refused without checking the PIN/.test(l)));
  for (const l of logs) assert.doesNotMatch(l, /9876|1234/);
});

test('per source: one source guessing across operators is locked, another source is not; per operator: a new source does not reset it', async () => {
  const { s } = setup();
  const attacker = { source: 'http 10.0.0.9' };
  for (const id of ['admin', 'shoufei', 'nobody']) assert.equal((await refusalOf(s.call('signIn', { operatorId: id, pin: '1111' }, attacker))).code, 'SIGN_IN_FAILED');
  assert.equal((await refusalOf(s.call('signIn', { operatorId: 'ghost', pin: '1111' }, attacker))).code, 'SIGN_IN_LOCKED');
  // The attacker's source is locked even for a real operator and its right PIN.
  assert.equal((await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '1234' }, attacker))).code, 'SIGN_IN_LOCKED');
  // The screen signs in as usual.
  assert.equal((await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).operator.id, 'yaoshi');
  // Per operator: four sources each guessing once at admin lock admin everywhere.
  const { s: s2 } = setup();
  for (let i = 0; i < 4; i++) await refusalOf(s2.call('signIn', { operatorId: 'admin', pin: '1111' }, { source: `http 10.0.1.${i}` }));
  assert.equal((await refusalOf(s2.call('signIn', { operatorId: 'admin', pin: '0000' }))).code, 'SIGN_IN_LOCKED');
});

test('guessing every 4-digit PIN now takes more than three months (on main: about nine minutes)', () => {
  // Pure arithmetic on the guard with its default settings: the fastest a guesser can go is to
  // retry the moment each lockout ends.
  let t = 0;
  const guard = new SignInGuard({ now: () => t });
  for (let i = 0; i < 10_000; i++) {
    const wait = guard.check('admin', 'http 127.0.0.1');
    if (wait) t += wait.waitMs;
    guard.failed('admin', 'http 127.0.0.1');
  }
  assert.ok(t > 90 * 24 * 3600_000, `${t / 3600_000} hours`);
});

test('through the HTTP API the lockout answers 409 with the wait in Chinese, counted by the peer address', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-pin-http-'));
  const db = openDatabase(dir);
  seedFixture(db, 'lincang');
  db.close();
  const logs: string[] = [];
  const c = await startCounter({ dataDir: dir, staticDir: null, uploader: null, log: (l) => logs.push(l) });
  try {
    const post = async (body: unknown) => {
      const res = await fetch(`${c.url}/v1/signIn`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { error: { code: string; messageZh: string } } };
    };
    for (let i = 0; i < 3; i++) assert.equal((await post({ operatorId: 'admin', pin: '1111' })).body.error.code, 'SIGN_IN_FAILED');
    assert.equal((await post({ operatorId: 'admin', pin: '1111' })).body.error.code, 'SIGN_IN_LOCKED');
    const locked = await post({ operatorId: 'admin', pin: '0000' });
    assert.equal(locked.status, 409);
    assert.equal(locked.body.error.code, 'SIGN_IN_LOCKED');
    assert.match(locked.body.error.messageZh, /^连续输错，请 \d+ 秒后再试$/);
    assert.ok(logs.some((l) => /from http 127\.0\.0\.1/.test(l)), logs.join('\n'));
  } finally {
    await c.close();
  }
});

test('changing one\'s PIN: wrong current PINs count toward the same lockout, and a locked change is refused without checking', async () => {
  const { s, logs } = setup();
  const { session } = await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' });
  for (let i = 0; i < 3; i++) assert.equal((await refusalOf(s.call('changePin', { session, currentPin: '9876', newPin: '2468' }))).code, 'PIN_WRONG');
  const locked = await refusalOf(s.call('changePin', { session, currentPin: '9876', newPin: '2468' }));
  assert.equal(locked.code, 'SIGN_IN_LOCKED');
  assert.equal(locked.problems[0]!.path, 'currentPin');
  // The right current PIN while locked is refused too, and the PIN is unchanged.
  assert.equal((await refusalOf(s.call('changePin', { session, currentPin: '1234', newPin: '2468' }))).code, 'SIGN_IN_LOCKED');
  // The lockout is the operator's, not only this door's: sign-in is locked as well.
  assert.equal((await refusalOf(s.call('signIn', { operatorId: 'yaoshi', pin: '1234' }))).code, 'SIGN_IN_LOCKED');
  assert.ok(logs.some((l) => /change PIN failed: .*yaoshi/.test(l)), logs.join('\n'));
  for (const l of logs) assert.doesNotMatch(l, /9876|1234|2468/);
});

test('PINs are stored as a salted scrypt hash: 16 random bytes of salt each, the same PIN never the same hash', async () => {
  const { s, db } = setup();
  const rows = () => db.prepare('SELECT id, pin_salt, pin_hash FROM operators ORDER BY id').all() as { id: string; pin_salt: string; pin_hash: string }[];
  const isScrypt = (pin: string, r: { pin_salt: string; pin_hash: string }) =>
    // At least scrypt's interactive cost (N = 2^14, r = 8): a copied database gives a PIN up only slowly.
    [14, 15, 16].some((log2) => scryptSync(pin, r.pin_salt, r.pin_hash.length / 2, { N: 1 << log2, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }).toString('hex') === r.pin_hash);
  const admin = (await s.call('signIn', { operatorId: 'admin', pin: '0000' })).session;
  await s.call('createOperator', { session: admin, id: 'twin', name: '同码', role: 'clerk', pin: '1234' });
  const byId = new Map(rows().map((r) => [r.id, r]));
  const yaoshi = byId.get('yaoshi')!;
  const twin = byId.get('twin')!;
  assert.match(yaoshi.pin_salt, /^[0-9a-f]{32}$/);
  assert.notEqual(yaoshi.pin_salt, twin.pin_salt);
  assert.notEqual(yaoshi.pin_hash, twin.pin_hash, 'the same PIN, another salt, another hash');
  assert.ok(isScrypt('1234', yaoshi) && isScrypt('1234', twin));
  assert.ok(!isScrypt('1235', yaoshi));
  // A changed PIN gets a fresh salt and the same slow hash.
  const { session } = await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' });
  await s.call('changePin', { session, currentPin: '1234', newPin: '8642' });
  const changed = rows().find((r) => r.id === 'yaoshi')!;
  assert.notEqual(changed.pin_salt, yaoshi.pin_salt);
  assert.ok(isScrypt('8642', changed));
  // 32 bytes of hash, never the PIN itself (a hex substring check would fail by chance now and then).
  for (const r of rows()) assert.match(r.pin_hash, /^[0-9a-f]{64}$/);
});
