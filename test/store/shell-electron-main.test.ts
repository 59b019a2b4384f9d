// The BUILT desktop shell (dist-electron/main.js, from `npm run build:electron`) under Node with a
// stand-in `electron` module: the core starts from the bundled location on a fresh data folder,
// exactly the bridge's channels are registered and reach the real service, the window is locked
// down, and quit waits for an in-flight call before the database closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PRINT_CHANNEL, channel } from '../../electron/methods.ts';
import { SCREEN_METHODS } from '../../core/service/contract.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Recorded {
  windows: { options: { webPreferences: Record<string, unknown> }; webContents: { id: number } }[];
  handlers: Map<string, (event: unknown, input: unknown) => Promise<unknown>>;
  quits: number;
  quitted?: boolean;
  loadDelayMs?: number;
  ready: Promise<void>;
}

test('the built main process starts the core, registers the bridge, locks the window and quits after in-flight work', async () => {
  execFileSync(process.execPath, ['--import', 'tsx', 'electron/build.ts'], { cwd: ROOT, stdio: 'ignore' });
  const dataDir = mkdtempSync(join(tmpdir(), 'lbc-shell-'));
  process.env.LBC_DATA_DIR = dataDir;
  process.env.LBC_PORT = '0';
  register('../helpers/electron-stand-in-hooks.mjs', import.meta.url);
  try {
    await import(pathToFileURL(join(ROOT, 'dist-electron', 'main.js')).href);
    const rec = (globalThis as unknown as { electronRecord: Recorded }).electronRecord;
    await rec.ready;
    // main() goes on after whenReady: wait until the window exists (the core started before it).
    for (let i = 0; i < 200 && rec.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(rec.windows.length, 1, 'one window (the core started from the bundled location)');

    // IPC is the screen surface: exactly the handler map's screen methods, plus printing.
    const expected = [...SCREEN_METHODS.map((m) => channel(m)), PRINT_CHANNEL].sort();
    assert.deepEqual([...rec.handlers.keys()].sort(), expected);

    const prefs = rec.windows[0]!.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);

    const event = { sender: { id: rec.windows[0]!.webContents.id }, senderFrame: { url: 'file:///app/index.html' } };
    const ops = await rec.handlers.get(channel('operators'))!(event, {});
    assert.ok(ops !== undefined, 'operators answered by the real service');
    await assert.rejects(rec.handlers.get(channel('operators'))!({ sender: { id: 999 }, senderFrame: { url: 'https://evil' } }, {}), /FORBIDDEN/);

    // Quit with a call in flight: the call completes, then the core closes, then the app quits.
    // A slow call (a print whose page takes 400 ms to load) is still running when quit is asked.
    rec.loadDelayMs = 400;
    let callDone = false;
    const inFlight = rec.handlers.get(PRINT_CHANNEL)!(event, { html: '<p>x</p>', widthMm: 80, heightMm: null }).then((v) => { callDone = true; return v; });
    await new Promise((r) => setTimeout(r, 50));
    const { app } = (await import('electron')) as unknown as { app: { quit(): void } };
    app.quit();
    assert.equal(rec.quitted, undefined, 'the first quit is held');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rec.quitted, undefined, 'still held while the print runs');
    assert.equal(callDone, false);
    await assert.rejects(rec.handlers.get(channel('operators'))!(event, {}), /SHUTTING_DOWN/);
    for (let i = 0; i < 200 && !rec.quitted; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(rec.quitted, true, 'quit goes through once the core has closed');
    assert.equal(callDone, true, 'the in-flight call finished before quit');
    await inFlight;
    assert.equal(rec.quits, 2);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
