// The BUILT desktop shell (dist-electron/main.js) under the stand-in `electron`, when its core
// process dies on its own: a call waiting on the dead core is refused in words at once (never left
// hanging), the shell forks a new core on the same data directory, tells the window in Chinese and
// the log in English, and calls work again — a sale settles and reads back. After a bounded number
// of restarts it gives up: the window is told, and calls are refused rather than waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { channel } from '../../electron/methods.ts';
import { GAVE_UP_ZH, RESTARTED_ZH } from '../../electron/core-supervisor.ts';
import { DEMO_CATALOG_FILE, DEMO_ROSTER_FILE } from '../../core/demo/seed.ts';
import { ROOT, buildShell } from '../helpers/build-shell.ts';

type Handler = (event: unknown, input: unknown) => Promise<unknown>;
interface Recorded {
  windows: { webContents: { id: number } }[];
  handlers: Map<string, Handler>;
  forks: { process: { pid: number; exitCode: number | null; kill(): void } }[];
  dialogs: { window: unknown; options: { type: string; message: string } }[];
  deliveryDelayMs: number;
  quitted?: boolean;
  coreOutput: string;
  ready: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (let t = 0; t < ms && !ok(); t += 25) await sleep(25);
  assert.ok(ok(), what);
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
/** The refusal a handler threw, as the renderer reads it (the body travels as JSON in the message). */
function body(e: unknown): { code: string; messageZh: string } {
  return JSON.parse((e as Error).message) as { code: string; messageZh: string };
}

test('a core that dies is restarted (bounded): waiting calls are refused at once, the window is told, calls work again', async () => {
  await buildShell();
  const dataDir = mkdtempSync(join(tmpdir(), 'lbc-shell-restart-'));
  process.env.LBC_DATA_DIR = dataDir;
  process.env.LBC_PORT = '0';
  process.env.LBC_DEMO_REGION = 'lincang';
  register('../helpers/electron-stand-in-hooks.mjs', import.meta.url);
  // main's log goes to stderr: keep its lines to check them.
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  let rec: Recorded | undefined;
  try {
    await import(pathToFileURL(join(ROOT, 'dist-electron', 'main.js')).href);
    rec = (globalThis as unknown as { electronRecord: Recorded }).electronRecord;
    await rec.ready;
    await until('the window opens once the core is up', () => rec!.windows.length === 1);
    const r = rec;
    const event = { sender: { id: r.windows[0]!.webContents.id }, senderFrame: { url: 'file:///app/index.html' } };
    const call = <T>(method: string, input: unknown) => r.handlers.get(channel(method))!(event, input) as Promise<T>;
    assert.equal((await call<{ items: unknown[] }>('operators', {})).items.length > 0, true);
    const first = r.forks[0]!.process;

    // A call on its way to the core when the core is killed: refused in words, at once.
    r.deliveryDelayMs = 400;
    const started = Date.now();
    const waiting = call('operators', {}).then(
      () => null,
      (e: unknown) => e,
    );
    await sleep(30);
    process.kill(first.pid, 'SIGKILL');
    const refused = await waiting;
    assert.ok(refused, 'the waiting call is refused, not answered by a dead core');
    assert.equal(body(refused).code, 'CORE_EXITED');
    assert.match(body(refused).messageZh, /柜台核心已停止/);
    assert.ok(Date.now() - started < 5_000, 'refused at once, not after a timeout');
    r.deliveryDelayMs = 0;

    // A second core is forked on the same data directory; the window is told in Chinese, the log in English.
    await until(`a second core is forked\n${r.coreOutput}`, () => r.forks.length === 2);
    const second = r.forks[1]!.process;
    assert.notEqual(second.pid, first.pid);
    assert.equal(alive(first.pid), false);
    // A call made while the new core opens waits for it, then is answered.
    const ops = await call<{ items: { id: string }[] }>('operators', {});
    assert.ok(ops.items.some((o) => o.id === 'yaoshi'));
    await until('the window is told', () => r.dialogs.length === 1);
    assert.equal(r.dialogs[0]!.window, r.windows[0]);
    assert.equal(r.dialogs[0]!.options.message, RESTARTED_ZH);
    assert.ok(logged.some((l) => /the core process exited unexpectedly \(code \d+\); restarting it \(attempt 1 of 3\)/.test(l)), logged.join(''));

    // The restarted core settles a sale and reads it back (a new sign-in: sessions lived in the old core).
    const { session } = await call<{ session: string }>('signIn', { operatorId: 'yaoshi', pin: '1234' });
    const barcode = readFileSync(join(ROOT, 'resources', 'demo', DEMO_CATALOG_FILE), 'utf8').split('\n')[1]!.split(',')[2]!;
    const roster = readFileSync(join(ROOT, 'resources', 'demo', DEMO_ROSTER_FILE), 'utf8').split('\n').slice(1).map((l) => l.split(',')[1]!).filter(Boolean);
    let patient: string | null = null;
    for (const certno of roster) {
      const found = await call<{ patient: { eligible: boolean } | null }>('lookup', { input: certno }).catch(() => null);
      if (found?.patient?.eligible) {
        patient = certno;
        break;
      }
    }
    assert.ok(patient, 'an eligible demo patient');
    const settled = await call<{ id: string; receiptNo: string }>('settle', { session, requestId: randomUUID(), patient, lines: [{ code: barcode, quantity: '1' }] });
    assert.equal((await call<{ receiptNo: string }>('getSettlement', { settlementId: settled.id })).receiptNo, settled.receiptNo);

    // Bounded: two more deaths are restarted (3 in all), the fourth is not.
    for (const n of [3, 4]) {
      process.kill(r.forks[n - 2]!.process.pid, 'SIGKILL');
      await until(`core ${n} is forked`, () => r.forks.length === n);
      await call('operators', {});
    }
    process.kill(r.forks[3]!.process.pid, 'SIGKILL');
    await until('the window is told the shell gave up', () => r.dialogs.some((d) => d.options.message === GAVE_UP_ZH));
    await assert.rejects(call('operators', {}), (e: unknown) => body(e).code === 'CORE_EXITED' && body(e).messageZh === GAVE_UP_ZH);
    await sleep(1_500);
    assert.equal(r.forks.length, 4, 'no fifth core');
    assert.ok(logged.some((l) => /giving up/.test(l)));

    // Quit still goes through.
    const { app } = (await import('electron')) as unknown as { app: { quit(): void } };
    app.quit();
    await until('quit goes through', () => r.quitted === true);
  } finally {
    process.stderr.write = write;
    for (const f of rec?.forks ?? []) if (f.process.exitCode === null) f.process.kill();
    delete process.env.LBC_DEMO_REGION;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
