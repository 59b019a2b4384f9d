// The main process's end of the core protocol (electron/core-client.ts) over a fake child:
// replies matched by id and checked, a malformed reply refusing its call, a refusal carried with its body,
// calls waiting when the core dies refused in words, and a close that kills a core that hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { CoreCallError, CoreClient, type CoreChild } from '../../electron/core-client.ts';
import type { CoreRequest } from '../../core/app/core-protocol.ts';
import { InputError } from '../../core/contract/problems.ts';

class FakeChild extends EventEmitter implements CoreChild {
  sent: CoreRequest[] = [];
  killed = false;
  postMessage(m: CoreRequest): void {
    this.sent.push(m);
  }
  kill(): boolean {
    this.killed = true;
    setImmediate(() => this.emit('exit', 9));
    return true;
  }
}

test('replies are matched by id, checked, and a refusal keeps its body', async () => {
  const child = new FakeChild();
  const logs: string[] = [];
  const client = new CoreClient(child, (l) => logs.push(l));
  const a = client.call('operators', {});
  const b = client.call('lookup', { input: '' });
  const [ra, rb] = child.sent as Extract<CoreRequest, { kind: 'call' }>[];
  assert.deepEqual([ra!.method, rb!.method], ['operators', 'lookup']);
  assert.notEqual(ra!.id, rb!.id);
  child.emit('message', { kind: 'reply', id: rb!.id, ok: false, error: { code: 'BAD_INPUT', message: 'input: scan', messageZh: '请扫码', problems: [{ path: 'input', code: 'too_small', message: 'scan', messageZh: '请扫码' }], refusal: false } });
  child.emit('message', { kind: 'reply', id: 999, ok: 'yes' }); // malformed, for no call: logged only
  assert.equal(logs.length, 1);
  child.emit('message', { kind: 'reply', id: ra!.id, ok: true, value: { items: [] } });
  assert.deepEqual(await a, { items: [] });
  await assert.rejects(b, (e: unknown) => e instanceof CoreCallError && e.body.problems[0]!.path === 'input' && e.body.messageZh === '请扫码');
  // A malformed reply to a waiting call refuses it rather than leaving it waiting.
  const c = client.call('operators', {});
  child.emit('message', { kind: 'reply', id: child.sent.at(-1)!.kind === 'call' ? (child.sent.at(-1) as { id: number }).id : -1, ok: false, error: { code: 'X' } });
  await assert.rejects(c, (e: unknown) => e instanceof InputError && e.code === 'BAD_REPLY');
});

test('a core that dies refuses the calls still waiting, and every later one', async () => {
  const child = new FakeChild();
  const client = new CoreClient(child, () => {});
  const waiting = client.call('settle', {});
  child.emit('exit', 1);
  await assert.rejects(waiting, (e: unknown) => e instanceof InputError && e.code === 'CORE_EXITED' && e.messageZh.includes('柜台核心已停止'));
  await assert.rejects(client.call('operators', {}), /exited \(1\)/);
  assert.equal(await client.close(), 1, 'close of a core already gone answers its exit code');
});

test('close asks the core to close and waits for its exit; one that hangs is killed', async () => {
  const clean = new FakeChild();
  const c1 = new CoreClient(clean, () => {});
  const closing = c1.close(5_000);
  assert.deepEqual(clean.sent.at(-1), { kind: 'close' });
  clean.emit('exit', 0);
  assert.equal(await closing, 0);

  const hung = new FakeChild();
  const c2 = new CoreClient(hung, () => {});
  assert.equal(await c2.close(50), 9);
  assert.equal(hung.killed, true);
});
