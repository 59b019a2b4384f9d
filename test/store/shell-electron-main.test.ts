// The BUILT desktop shell (dist-electron/main.js, from `npm run build:electron`) under Node with a
// stand-in `electron` module that really forks the core process: the core starts in its own
// process from the bundled dist-electron/core.js on a fresh data folder seeded with the demo
// data, exactly the bridge's channels are registered and reach the real service there, the
// window is locked down, and quit waits for an in-flight print and an in-flight settle before
// the core closes the database (WAL checkpointed, lock released, process gone, sale kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PRINT_CHANNEL, PRINTERS_CHANNEL, channel } from '../../electron/methods.ts';
import { SCREEN_METHODS } from '../../core/service/contract.ts';
import { DB_FILE_NAME } from '../../core/store/db.ts';
import { LOCK_FILE_NAME } from '../../core/store/lock.ts';
import { startCounter } from '../../core/app/counter.ts';
import { DEMO_CATALOG_FILE, DEMO_ROSTER_FILE } from '../../core/demo/seed.ts';
import { FIXTURE_OPERATORS } from '../../core/app/fixture.ts';
import { ROOT, buildShell } from '../helpers/build-shell.ts';

type Handler = (event: unknown, input: unknown) => Promise<unknown>;
interface Fork {
  modulePath: string;
  options: { env?: Record<string, string> };
  process: { pid: number; exitCode: number | null };
}
interface Recorded {
  windows: { options: { webPreferences: Record<string, unknown> }; webContents: { id: number; windowOpenHandler?: () => { action: string } }; loaded?: string }[];
  handlers: Map<string, Handler>;
  forks: Fork[];
  appEvents: string[];
  quits: number;
  quitted?: boolean;
  loadDelayMs?: number;
  deliveryDelayMs: number;
  coreOutput: string;
  ready: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('the built main process forks the core on demo data, registers the bridge, locks the window and quits after in-flight work', async () => {
  await buildShell();
  const dataDir = mkdtempSync(join(tmpdir(), 'lbc-shell-'));
  process.env.LBC_DATA_DIR = dataDir;
  process.env.LBC_PORT = '0';
  process.env.LBC_DEMO_REGION = 'lincang';
  register('../helpers/electron-stand-in-hooks.mjs', import.meta.url);
  let rec: Recorded | undefined;
  try {
    await import(pathToFileURL(join(ROOT, 'dist-electron', 'main.js')).href);
    rec = (globalThis as unknown as { electronRecord: Recorded }).electronRecord;
    await rec.ready;
    // main() goes on after whenReady: wait until the window exists (the core opened before it).
    for (let i = 0; i < 400 && rec.windows.length === 0; i++) await sleep(25);
    assert.equal(rec.windows.length, 1, `one window (the core opened from the bundled location)\n${rec.coreOutput}`);

    // The core runs in a forked process, from the bundle beside main.js, not in this one.
    assert.equal(rec.forks.length, 1);
    const fork = rec.forks[0]!;
    assert.equal(fork.modulePath, join(ROOT, 'dist-electron', 'core.js'));
    assert.notEqual(fork.process.pid, process.pid);
    assert.ok(alive(fork.process.pid), 'the core process runs');
    assert.equal(fork.options.env?.LBC_RESOURCES_DIR, join(ROOT, 'resources'), 'the core is told the resources folder main found');
    // The screen main loads is the built renderer the one locator found.
    assert.equal(rec.windows[0]!.loaded, join(ROOT, 'dist', 'renderer', 'index.html'));

    // IPC is the screen surface: exactly the handler map's screen methods, plus printing.
    // IPC is the screen surface: exactly the handler map's screen methods, plus printing.
    const expected = [...SCREEN_METHODS.map((m) => channel(m)), PRINT_CHANNEL, PRINTERS_CHANNEL].sort();
    assert.deepEqual([...rec.handlers.keys()].sort(), expected);
    for (const e of ['before-quit', 'window-all-closed', 'second-instance', 'web-contents-created']) assert.ok(rec.appEvents.includes(e), `app.on('${e}')`);

    const prefs = rec.windows[0]!.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.preload, join(ROOT, 'dist-electron', 'preload.cjs'));
    assert.deepEqual(rec.windows[0]!.webContents.windowOpenHandler?.(), { action: 'deny' }, 'new windows are denied');

    const event = { sender: { id: rec.windows[0]!.webContents.id }, senderFrame: { url: 'file:///app/index.html' } };
    const call = <T>(method: string, input: unknown) => rec!.handlers.get(channel(method))!(event, input) as Promise<T>;

    // The demo data was seeded in the core process: the demo operators, the demo roster and catalog.
    const ops = await call<{ items: { id: string }[] }>('operators', {});
    assert.deepEqual(ops.items.map((o) => o.id).sort(), FIXTURE_OPERATORS.map((o) => o.id).sort());
    await assert.rejects(rec.handlers.get(channel('operators'))!({ sender: { id: 999 }, senderFrame: { url: 'https://evil' } }, {}), /FORBIDDEN/);
    // A refusal from the core keeps its field problems across both process boundaries.
    await assert.rejects(call('lookup', { input: '' }), (e: Error) => {
      const body = JSON.parse(e.message) as { code: string; problems: { path: string }[] };
      return body.problems.some((p) => p.path === 'input');
    });
    const roster = readFileSync(join(ROOT, 'resources', 'demo', DEMO_ROSTER_FILE), 'utf8').split('\n').slice(1).map((l) => l.split(',')[1]!).filter(Boolean);
    let patient: string | null = null;
    for (const certno of roster) {
      const found = await call<{ patient: { eligible: boolean } | null }>('lookup', { input: certno }).catch(() => null);
      if (found?.patient?.eligible) {
        patient = certno;
        break;
      }
    }
    assert.ok(patient, 'an eligible demo patient at the demo institution');
    const barcode = readFileSync(join(ROOT, 'resources', 'demo', DEMO_CATALOG_FILE), 'utf8').split('\n')[1]!.split(',')[2]!;
    const { session } = await call<{ session: string }>('signIn', { operatorId: 'yaoshi', pin: '1234' });
    const sale = { session, patient, lines: [{ code: barcode, quantity: '1' }], requestId: randomUUID() };

    // Quit with a print in flight (main's own work) and a settle in flight (held on its way to the
    // core): both complete, then the core closes the database and exits, then the app quits.
    // The print outlasts the trip of a close request to the core, so only main's own wait holds it.
    rec.loadDelayMs = 1500;
    rec.deliveryDelayMs = 300;
    let printDone = false;
    let settleDone = false;
    const printing = rec.handlers.get(PRINT_CHANNEL)!(event, { html: '<p>x</p>', widthMm: 80, heightMm: null }).then((v) => ((printDone = true), v));
    const settling = call<{ id: string; receiptNo: string }>('settle', sale).then((v) => ((settleDone = true), v));
    await sleep(50);
    const { app } = (await import('electron')) as unknown as { app: { quit(): void } };
    app.quit();
    assert.equal(rec.quitted, undefined, 'the first quit is held');
    await sleep(150);
    assert.equal(rec.quitted, undefined, 'still held while the print and the settle run');
    assert.equal(printDone, false);
    assert.equal(settleDone, false);
    assert.ok(alive(fork.process.pid), 'the core stays up while a call is in flight');
    await assert.rejects(call('operators', {}), /SHUTTING_DOWN/);
    for (let i = 0; i < 400 && !rec.quitted; i++) await sleep(25);
    assert.equal(rec.quitted, true, `quit goes through once the core has closed\n${rec.coreOutput}`);
    assert.equal(printDone, true, 'the in-flight print finished before quit');
    assert.equal(settleDone, true, 'the in-flight settle finished before quit');
    const settled = await settling;
    await printing;
    assert.equal(rec.quits, 2);

    // The core closed the database and exited cleanly: WAL checkpointed into the file, lock released.
    assert.equal(fork.process.exitCode, 0, rec.coreOutput);
    assert.equal(alive(fork.process.pid), false, 'the core process is gone');
    const wal = join(dataDir, `${DB_FILE_NAME}-wal`);
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'no unmerged WAL left behind');
    assert.equal(existsSync(join(dataDir, LOCK_FILE_NAME)), false, 'the data directory lock is released');
    // The settle committed before the close: reopening the data directory finds it as recorded.
    const reopened = await startCounter({ dataDir, port: 0, staticDir: null, uploader: null });
    try {
      const view = (await reopened.service.call('getSettlement', { settlementId: settled.id })) as { receiptNo: string };
      assert.equal(view.receiptNo, settled.receiptNo);
    } finally {
      await reopened.close();
    }
  } finally {
    for (const f of rec?.forks ?? []) if (f.process.exitCode === null) (f.process as unknown as { kill(): void }).kill();
    delete process.env.LBC_DEMO_REGION;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
