// Operators at the counter (issue 12 item 9): an operator changes their own PIN (the current one
// asked again; hashed as every PIN is, so sign-in takes the new one and not the old); an
// administrator disables an operator (who can no longer sign in, whose open session ends, who
// leaves the sign-in list) and re-enables them; never oneself, never the last administrator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { seedFixture } from '../../core/app/fixture.ts';
import { verifyOperator } from '../../core/store/counter.ts';

function counter() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-ops-')));
  seedFixture(db, 'lincang');
  return { db, s: new CounterService({ db }) };
}
const code = (c: string) => (e: unknown) => e instanceof InputError && e.code === c;

test('change PIN: the current PIN is checked; afterwards only the new PIN signs in', async () => {
  const { db, s } = counter();
  const { session } = await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' });
  await assert.rejects(s.call('changePin', { session, currentPin: '9999', newPin: '2468' }), code('PIN_WRONG'));
  await assert.rejects(s.call('changePin', { session, currentPin: '1234', newPin: '12' }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'newPin'));
  await assert.rejects(s.call('changePin', { session, currentPin: '1234', newPin: '1234' }), code('PIN_UNCHANGED'));
  assert.deepEqual(await s.call('changePin', { session, currentPin: '1234', newPin: '2468' }), { ok: true });
  await assert.rejects(s.call('signIn', { operatorId: 'yaoshi', pin: '1234' }), code('SIGN_IN_FAILED'));
  assert.ok((await s.call('signIn', { operatorId: 'yaoshi', pin: '2468' })).session);
  assert.equal(verifyOperator(db, 'yaoshi', '2468')?.id, 'yaoshi');
});

test('disable an operator: refused sign-in, session ended, gone from the sign-in list; re-enabled signs in again', async () => {
  const { s } = counter();
  const admin = (await s.call('signIn', { operatorId: 'admin', pin: '0000' })).session;
  const clerk = (await s.call('signIn', { operatorId: 'shoufei', pin: '5678' })).session;
  await assert.rejects(s.call('setOperatorActive', { session: clerk, operatorId: 'yaoshi', active: false }), code('FORBIDDEN'));
  await s.call('setOperatorActive', { session: admin, operatorId: 'shoufei', active: false });
  await assert.rejects(s.call('signIn', { operatorId: 'shoufei', pin: '5678' }), code('SIGN_IN_FAILED'));
  await assert.rejects(s.call('changePin', { session: clerk, currentPin: '5678', newPin: '1357' }), code('SESSION_EXPIRED'));
  assert.ok(!(await s.call('operators', {})).items.some((o) => o.id === 'shoufei'));
  const accounts = await s.call('operatorAccounts', { session: admin });
  assert.equal(accounts.items.find((o) => o.id === 'shoufei')?.active, false);
  await s.call('setOperatorActive', { session: admin, operatorId: 'shoufei', active: true });
  assert.ok((await s.call('signIn', { operatorId: 'shoufei', pin: '5678' })).session);
});

test('an administrator cannot disable themselves or the last administrator', async () => {
  const { s } = counter();
  const admin = (await s.call('signIn', { operatorId: 'admin', pin: '0000' })).session;
  await assert.rejects(s.call('setOperatorActive', { session: admin, operatorId: 'admin', active: false }), code('CANNOT_DISABLE_SELF'));
  await s.call('createOperator', { session: admin, id: 'admin2', name: '赵管理', role: 'admin', pin: '4321' });
  const admin2 = (await s.call('signIn', { operatorId: 'admin2', pin: '4321' })).session;
  await s.call('setOperatorActive', { session: admin2, operatorId: 'admin', active: false });
  await s.call('setOperatorActive', { session: admin2, operatorId: 'admin', active: true });
  await assert.rejects(s.call('setOperatorActive', { session: admin2, operatorId: 'nobody', active: false }), code('NO_SUCH_OPERATOR'));
});
