// The Electron main process, kept thin: one instance per data directory, the core (database,
// plugin API, uploader, reports) in a utilityProcess forked from dist-electron/core.js, one IPC
// handler per screen method of the contract forwarded to it (the core validates the input with
// the method's zod schema), a locked-down window, printing with an explicit page size plus a PDF archive, and a
// quit handshake that lets in-flight calls finish before the core closes the database.
import { app, BrowserWindow, dialog, ipcMain, session, utilityProcess, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError, parseOrThrow } from '../core/contract/problems.ts';
import { RESOURCES_DIR_ENV, rendererDir, resolveDataDir, resourceRoot } from '../core/config/paths.ts';
import { SCREEN_METHODS } from '../core/service/contract.ts';
import { errorBody } from '../core/app/core-protocol.ts';
import { CoreCallError } from './core-client.ts';
import { CoreSupervisor } from './core-supervisor.ts';
import { PRINT_CHANNEL, PRINTERS_CHANNEL, channel } from './methods.ts';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self' blob: about:; object-src 'none'; base-uri 'none'; form-action 'none'";
/** Packed or not, the built screen is found by the one locator (core/config/paths.ts). */
function screenDir(): string {
  const dir = rendererDir();
  if (!dir) throw new Error('the counter screen is not built (npm run build:renderer)');
  return dir;
}

const PrintJob = z.object({
  html: z.string().min(1).max(2_000_000),
  widthMm: z.number().min(40).max(420),
  heightMm: z.number().min(40).max(600).nullable(),
  printer: z.string().max(200).default(''),
  archiveName: z.string().regex(/^[\w.-]{1,120}\.pdf$/).optional(),
});

let core: CoreSupervisor | null = null;
let dataDir = '';
let win: BrowserWindow | null = null;
/** IPC calls still running: quit waits for them before closing the database. */
const inFlight = new Set<Promise<unknown>>();
let closed = false;
let closing: Promise<void> | null = null;

function track<T>(work: Promise<T>): Promise<T> {
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work)).catch(() => {});
  return work;
}

/** Errors cross IPC as text: the body travels as JSON so the renderer can show field problems. */
function ipcError(e: unknown): Error {
  return new Error(JSON.stringify(e instanceof CoreCallError ? e.body : errorBody(e)));
}

/** Only our own page may call the service. */
function trusted(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith('file://') && win !== null && event.sender.id === win.webContents.id;
}

function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

async function printHtml(job: z.output<typeof PrintJob>): Promise<{ printed: boolean; archived: string | null }> {
  const heightMm = job.heightMm ?? 297; // an 80 mm roll: long enough for the content, cut by the printer
  const pw = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } });
  lockDown(pw.webContents);
  try {
    await pw.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(job.html)}`);
    let archived: string | null = null;
    if (job.archiveName) {
      const pdf = await pw.webContents.printToPDF({ pageSize: { width: job.widthMm / 25.4, height: heightMm / 25.4 }, printBackground: true, margins: { top: 0, bottom: 0, left: 0, right: 0 } });
      // Archived with the data (backed up together): archive/yyyy-MM/name.pdf.
      const dir = join(dataDir, 'archive', new Date().toISOString().slice(0, 7));
      mkdirSync(dir, { recursive: true });
      archived = join(dir, job.archiveName);
      writeFileSync(archived, pdf);
    }
    const printed = await new Promise<boolean>((resolve) => {
      pw.webContents.print(
        { silent: true, printBackground: true, deviceName: job.printer || undefined, pageSize: { width: job.widthMm * 1000, height: heightMm * 1000 }, margins: { marginType: 'none' } },
        (ok) => resolve(ok),
      );
    });
    return { printed, archived };
  } finally {
    pw.destroy();
  }
}

async function createWindow(): Promise<void> {
  win = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 640,
    title: '两病柜台',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(import.meta.dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  lockDown(win.webContents);
  win.once('ready-to-show', () => win?.show());
  await win.loadFile(join(screenDir(), 'index.html'));
}

async function main(): Promise<void> {
  // One writer per data directory: a second start focuses the first window instead.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('web-contents-created', (_e, contents) => lockDown(contents));
  await app.whenReady();

  session.defaultSession.webRequest.onHeadersReceived((details, cb) => cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }));
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));

  dataDir = resolveDataDir(process.env.LBC_DATA_DIR ?? join(app.getPath('userData'), 'data'));
  // The core runs in its own process; it finds the same resources folder as this one. The
  // supervisor forks it again if it dies on its own (bounded), telling the window in Chinese.
  const resources = resourceRoot();
  core = new CoreSupervisor({
    fork: () => utilityProcess.fork(join(import.meta.dirname, 'core.js'), [], { serviceName: 'liangbing-counter-core', stdio: 'inherit', env: { ...process.env, [RESOURCES_DIR_ENV]: resources } }),
    // The plugin API for the host POS runs in the core (loopback, token in the data directory).
    open: { dataDir, port: Number(process.env.LBC_PORT ?? 17860), demoRegion: process.env.LBC_DEMO_REGION ?? null },
    notify: (messageZh, kind) => {
      if (win && !win.isDestroyed()) void dialog.showMessageBox(win, { type: kind === 'restarted' ? 'warning' : 'error', title: '两病柜台', message: messageZh, buttons: ['确定'] });
    },
  });
  const opened = await core.start();
  process.stdout.write(`shell: core ${opened.pid} open, plugin API at ${opened.url}\n`);

  // IPC is the screen surface: one channel per screen method of the contract, no other.
  for (const name of SCREEN_METHODS) {
    ipcMain.handle(channel(name), async (event, input: unknown) => {
      if (!trusted(event)) throw ipcError(new InputError('FORBIDDEN', 'untrusted sender', '非法调用'));
      try {
        // The core validates `input` with the method's zod schema before anything runs.
        if (closing || !core) throw new InputError('SHUTTING_DOWN', 'the counter is closing', '正在退出，请稍候');
        return await track(core.call(name, input));
      } catch (e) {
        throw ipcError(e);
      }
    });
  }
  ipcMain.handle(PRINT_CHANNEL, async (event, raw: unknown) => {
    if (!trusted(event)) throw ipcError(new InputError('FORBIDDEN', 'untrusted sender', '非法调用'));
    try {
      return await track(printHtml(parseOrThrow(PrintJob, raw)));
    } catch (e) {
      throw ipcError(e);
    }
  });

  ipcMain.handle(PRINTERS_CHANNEL, async (event) => {
    if (!trusted(event) || !win) throw ipcError(new InputError('FORBIDDEN', 'untrusted sender', '非法调用'));
    // Names and the default flag only: the page chooses by name, the print job passes it as deviceName.
    const list = await win.webContents.getPrintersAsync();
    return list.slice(0, 200).map((p) => ({ name: p.name, displayName: p.displayName || p.name, isDefault: Boolean((p as { isDefault?: boolean }).isDefault) }));
  });

  await createWindow();
  app.on('window-all-closed', () => app.quit());
  // The quit handshake: hold the quit, let in-flight calls (a settle, a print) finish, then ask
  // the core to close (uploader, HTTP, database) and wait for it to exit, then quit for real.
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closing ??= (async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      const code = await core?.close();
      if (code) process.stderr.write(`shell: the core exited with ${code} while closing\n`);
      core = null;
      closed = true;
      app.quit();
    })();
  });
}

void main();
