// One bridge, the same method names everywhere: the service contract, the Electron preload's
// IPC channels and the browser shell's HTTP client must list exactly the same methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { METHOD_NAMES, METHODS } from '../../core/service/contract.ts';
import { BRIDGE_METHODS } from '../../electron/methods.ts';

test('the Electron preload exposes exactly the service methods', () => {
  assert.deepEqual([...BRIDGE_METHODS].sort(), [...METHOD_NAMES].sort());
});

test('the browser bridge exposes exactly the service methods, each posting to its own route', async () => {
  const { httpCounter } = await import('../../renderer/bridge.ts');
  const seen: string[] = [];
  const real = globalThis.fetch;
  globalThis.fetch = (async (url: string) => {
    seen.push(String(url));
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  try {
    const api = httpCounter('t', 'http://x') as unknown as Record<string, (i: unknown) => Promise<unknown>>;
    assert.deepEqual(Object.keys(api).sort(), [...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) await api[name]!({});
  } finally {
    globalThis.fetch = real;
  }
  assert.deepEqual(seen.sort(), METHOD_NAMES.map((m) => `http://x/v1/${m}`).sort());
});

test('every method validates its input: a wrong type is refused by the schema', () => {
  for (const name of METHOD_NAMES) {
    const r = METHODS[name].input.safeParse(42);
    assert.equal(r.success, false, `${name} accepted a number as its input`);
  }
});

// The window's lock-down is checked on the built main process: test/store/shell-electron-main.test.ts.

test('IPC errors (Electron wraps them as text) come back to the screen with their field problems', async () => {
  const { asBridgeError, BridgeError } = await import('../../renderer/bridge.ts');
  const body = { code: 'INVALID_REQUEST', message: 'The request is invalid', messageZh: '请求内容有误', problems: [{ path: 'lines.0.quantity', code: 'custom', message: 'quantity must not be negative', messageZh: '数量不能为负数' }] };
  const wrapped = new Error(`Error invoking remote method 'counter:quote': Error: ${JSON.stringify(body)}`);
  const b = asBridgeError(wrapped);
  assert.ok(b instanceof BridgeError);
  assert.equal(b.code, 'INVALID_REQUEST');
  assert.equal(b.messageZh, '请求内容有误');
  assert.equal(b.problems[0]!.path, 'lines.0.quantity');
  const plain = asBridgeError(new Error('socket hang up'));
  assert.equal(plain.code, 'ERROR');
  assert.equal(plain.messageZh, 'socket hang up');
});
