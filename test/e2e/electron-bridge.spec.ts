// The desktop shell without the Electron binary: the BUILT renderer (vite's dist/renderer) in
// Debian Chromium, its window.counter / window.counterShell being exactly what the BUILT preload
// (dist-electron/preload.cjs) exposed through contextBridge. Every call goes preload →
// ipcRenderer.invoke → the ipcMain handler the built main process registered → the core in
// its forked process. The page gets no token, so it has no HTTP way to the service.
import { test, expect } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { openDatabase } from '../../core/store/db.ts';
import { channel } from '../../electron/methods.ts';
import { buildShell } from '../helpers/build-shell.ts';
import { startShellHarness, type BridgeShape, type ShellHarness } from './electron-shell.ts';

// Electron's file:// page is a secure context (crypto.randomUUID); so is a loopback origin. Nothing
// listens there: page.route answers every request from the renderer folder main.ts loaded.
const ORIGIN = 'http://127.0.0.1:9';
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

let harness: ShellHarness;
let dataDir: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await buildShell();
  dataDir = mkdtempSync(join(tmpdir(), 'lbc-shell-e2e-'));
  const db = openDatabase(dataDir);
  seedFixture(db, 'lincang');
  db.close();
  harness = await startShellHarness(dataDir);
});

test.afterAll(async () => {
  const closed = await harness?.quit();
  rmSync(dataDir, { recursive: true, force: true });
  expect(closed?.quitted, harness?.output()).toBe(true);
  expect(closed?.coreExit, 'the core closed its database and exited cleanly').toBe(0);
});

test('desktop shell: sign in, scan, settle through the built preload, IPC and the core process', async ({ page }) => {
  // The page main.ts loaded, served with the headers main's session adds (its CSP).
  const root = dirname(harness.renderer);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const file = normalize(join(root, decodeURIComponent(new URL(route.request().url()).pathname)));
    if (!file.startsWith(root + sep)) return route.fulfill({ status: 404 });
    const headers = Object.fromEntries(Object.entries(harness.headers).map(([k, v]) => [k, v.join(', ')]));
    try {
      await route.fulfill({ status: 200, body: readFileSync(file), headers: { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' } });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  const httpCalls: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/')) httpCalls.push(r.url());
  });
  // window.<bridge> as the preload exposed it: each function relays to the preload's own function.
  await page.exposeFunction('__preloadInvoke', (bridge: string, method: string, args: unknown[]) => harness.invoke(bridge, method, args));
  await page.addInitScript((bridges: Record<string, BridgeShape>) => {
    const relay = (globalThis as unknown as { __preloadInvoke: (b: string, m: string, a: unknown[]) => Promise<unknown> }).__preloadInvoke;
    for (const [name, shape] of Object.entries(bridges)) {
      const api: Record<string, unknown> = { ...shape.values };
      for (const f of shape.functions) api[f] = (...args: unknown[]) => relay(name, f, args);
      Object.defineProperty(window, name, { value: Object.freeze(api), enumerable: true });
    }
  }, harness.bridges);
  expect(Object.keys(harness.bridges).sort()).toEqual(['counter', 'counterShell']);

  await page.goto(`${ORIGIN}/index.html`);
  await page.getByTestId('op-yaoshi').click();
  await page.getByTestId('pin').fill('1234');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('patient-input')).toBeFocused();
  await page.keyboard.type(FIXTURE_REGIONS.lincang.eligible);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
  await page.keyboard.type(drugBarcode(1));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('total-fund')).toHaveText('¥5.67');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('message')).toContainText('已结算');
  expect(pageErrors).toEqual([]);

  // A refusal from the core reaches the screen's error type with its Chinese words.
  const refused = await page.evaluate(async () => {
    try {
      await window.counter!.lookup({ input: '' });
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  });
  expect(refused).toMatch(/"messageZh"/);

  // The sale went the IPC way, once; the page never called the HTTP API.
  const invoked = await harness.invocations();
  expect(invoked.filter((c) => c === channel('settle'))).toHaveLength(1);
  expect(invoked).toContain(channel('signIn'));
  expect(httpCalls).toEqual([]);
  const found = await page.evaluate(async () => (await window.counter!.findSettlements({ text: '' })).items.length);
  expect(found).toBe(1);
});
