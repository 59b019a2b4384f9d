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

test('the browser bridge calls exactly the service methods', () => {
  const src = readFileSync(new URL('../../renderer/bridge.ts', import.meta.url), 'utf8');
  const list = /const METHODS: MethodName\[\] = \[([^\]]+)\]/.exec(src)![1]!;
  const names = [...list.matchAll(/'(\w+)'/g)].map((m) => m[1]);
  assert.deepEqual(names.sort(), [...METHOD_NAMES].sort());
});

test('every method validates its input: a wrong type is refused by the schema', () => {
  for (const name of METHOD_NAMES) {
    const r = METHODS[name].input.safeParse(42);
    assert.equal(r.success, false, `${name} accepted a number as its input`);
  }
});

test('the Electron window is locked down (sandbox, context isolation, no node integration, CSP, navigation denied)', () => {
  const main = readFileSync(new URL('../../electron/main.ts', import.meta.url), 'utf8');
  for (const needle of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', "setWindowOpenHandler(() => ({ action: 'deny' }))", "'will-navigate'", 'requestSingleInstanceLock', 'Content-Security-Policy', 'printToPDF', 'pageSize']) {
    assert.ok(main.includes(needle), `electron/main.ts lacks ${needle}`);
  }
});
