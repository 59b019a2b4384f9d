// Runs the BUILT desktop shell under the stand-in `electron` module, for the preload-bridge e2e:
// dist-electron/main.js starts, forks its core (dist-electron/core.js) in a child process and
// registers its ipcMain handlers; the window's built preload runs as a sandboxed preload; then
// this process relays the page's bridge calls (sent by the Playwright test over this process's
// IPC channel) to exactly what the preload exposed through contextBridge. Started by
// electron-shell.ts; the data directory comes in LBC_DATA_DIR.
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/build-shell.ts';

type Api = Record<string, unknown>;
interface Recorded {
  windows: { options: { webPreferences: { preload: string } }; loaded?: string }[];
  forks: { process: { exitCode: number | null } }[];
  invocations: string[];
  headersListener?: (details: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
  quitted?: boolean;
  coreOutput: string;
  ready: Promise<void>;
}
type Message = { kind: 'invoke'; id: number; bridge: string; method: string; args: unknown[] } | { kind: 'invocations'; id: number } | { kind: 'quit'; id: number };

const send = (m: unknown) => process.send!(m);

register('../helpers/electron-stand-in-hooks.mjs', import.meta.url);
await import(pathToFileURL(join(ROOT, 'dist-electron', 'main.js')).href);
const rec = (globalThis as unknown as { electronRecord: Recorded }).electronRecord;
await rec.ready;
for (let i = 0; i < 600 && !rec.windows[0]?.loaded; i++) await new Promise((r) => setTimeout(r, 25));
const win = rec.windows[0];
if (!win?.loaded) throw new Error(`the main process did not open its window:\n${rec.coreOutput}`);

const electron = (await import('electron')) as unknown as { app: { quit(): void }; loadPreload(w: unknown): Record<string, Api> };
const exposed = electron.loadPreload(win);
const bridges = Object.fromEntries(
  Object.entries(exposed).map(([name, api]) => [
    name,
    {
      functions: Object.keys(api).filter((k) => typeof api[k] === 'function'),
      values: Object.fromEntries(Object.entries(api).filter(([, v]) => typeof v !== 'function')),
    },
  ]),
);
// The response headers main's session puts on every page it loads (its Content-Security-Policy).
let headers: Record<string, string[]> = {};
rec.headersListener?.({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));

process.on('message', (m: Message) => {
  void (async () => {
    if (m.kind === 'invoke') {
      try {
        const fn = exposed[m.bridge]?.[m.method];
        if (typeof fn !== 'function') throw new Error(`window.${m.bridge}.${m.method} is not exposed by the preload`);
        send({ id: m.id, ok: true, value: await (fn as (...a: unknown[]) => Promise<unknown>)(...m.args) });
      } catch (e) {
        send({ id: m.id, ok: false, message: (e as Error).message });
      }
    } else if (m.kind === 'invocations') {
      send({ id: m.id, ok: true, value: rec.invocations });
    } else {
      electron.app.quit();
      for (let i = 0; i < 800 && !rec.quitted; i++) await new Promise((r) => setTimeout(r, 25));
      send({ id: m.id, ok: true, value: { quitted: rec.quitted === true, coreExit: rec.forks[0]?.process.exitCode ?? null } });
      setTimeout(() => process.exit(0), 50);
    }
  })();
});
send({ kind: 'ready', renderer: win.loaded, bridges, headers });
