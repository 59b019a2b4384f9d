// One bridge, the same method names everywhere, all derived from the one method definition: the
// Electron preload's IPC channels and the browser shell's HTTP client expose exactly the screen
// methods of core/service/contract.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { METHOD_NAMES, METHODS, SCREEN_METHODS } from '../../core/service/contract.ts';
import { PRINT_CHANNEL, channel } from '../../electron/methods.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the bundled preload exposes exactly the screen methods, each invoking its own IPC channel', async () => {
  // Bundled as electron/build.ts bundles it (CommonJS, electron external), in memory.
  const out = await build({ entryPoints: ['electron/preload.ts'], absWorkingDir: ROOT, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['electron'], write: false, logLevel: 'silent' });
  const exposed: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  const invoked: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: Record<string, (input: unknown) => Promise<unknown>>) => (exposed[key] = value) },
    ipcRenderer: { invoke: async (ch: string) => void invoked.push(ch) },
  };
  // A sandboxed preload may require only `electron`: anything else fails here as it would there.
  const sandboxRequire = (m: string) => {
    if (m === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${m}`);
  };
  runInNewContext(out.outputFiles[0]!.text, { require: sandboxRequire, module: { exports: {} }, exports: {} });
  assert.deepEqual(Object.keys(exposed).sort(), ['counter', 'counterShell']);
  assert.deepEqual(Object.keys(exposed.counter!).sort(), [...SCREEN_METHODS].sort());
  for (const m of SCREEN_METHODS) await exposed.counter![m]!({});
  await exposed.counterShell!.print!({});
  assert.deepEqual(invoked.sort(), [...SCREEN_METHODS.map((m) => channel(m)), PRINT_CHANNEL].sort());
});

test('the browser bridge exposes exactly the screen methods, each posting to its own route', async () => {
  const { httpCounter } = await import('../../renderer/bridge.ts');
  const seen: string[] = [];
  const real = globalThis.fetch;
  globalThis.fetch = (async (url: string) => {
    seen.push(String(url));
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  try {
    const api = httpCounter('t', 'http://x') as unknown as Record<string, (i: unknown) => Promise<unknown>>;
    assert.deepEqual(Object.keys(api).sort(), [...SCREEN_METHODS].sort());
    for (const name of SCREEN_METHODS) await api[name]!({});
  } finally {
    globalThis.fetch = real;
  }
  assert.deepEqual(seen.sort(), SCREEN_METHODS.map((m) => `http://x/v1/${m}`).sort());
});

test('every method validates its input: each field of the right type only, refused naming that field', () => {
  const candidates: unknown[] = [42, 'x', true, [], { nested: 1 }];
  for (const name of METHOD_NAMES) {
    const input = METHODS[name].input as unknown as { shape?: Record<string, unknown>; safeParse: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } };
    assert.equal(input.safeParse(42).success, false, `${name} accepted a number as its input`);
    for (const field of Object.keys(input.shape ?? {})) {
      // Some value of a wrong type for this field must be refused with an issue at that field's path.
      const named = candidates.some((v) => {
        const r = input.safeParse({ [field]: v });
        return !r.success && r.error!.issues.some((i) => i.path.length >= 1 && i.path[0] === field);
      });
      assert.ok(named, `${name}.${field} accepts a value of any type`);
    }
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
