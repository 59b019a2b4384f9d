// A stand-in for the `electron` module: records what the built main process asks of Electron
// (windows and their options, IPC handlers, app events, quits, utility-process forks) on
// globalThis.electronRecord, and really runs what it is asked to run:
// - utilityProcess.fork starts the module in a Node child process with Electron's
//   process.parentPort (electron-stand-in-parent-port.mjs); record.deliveryDelayMs holds each
//   message to it that long, in order, so a test can keep a call in flight;
// - session's header and permission handlers are kept (record.headersListener, permissionHandler);
// - dialog.showMessageBox is recorded (record.dialogs: the window and the options);
// - loadPreload(window) runs the window's built preload as a sandboxed preload runs (only
//   `require('electron')`), its contextBridge exposures land in record.exposed, and its
//   ipcRenderer.invoke calls the recorded ipcMain handler as that window's page, with Electron's
//   error wrapping.
import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PARENT_PORT = new URL('./electron-stand-in-parent-port.mjs', import.meta.url).href;

const record = { windows: [], handlers: new Map(), forks: [], exposed: {}, invocations: [], appEvents: [], dialogs: [], quits: 0, deliveryDelayMs: 0, coreOutput: '', ready: null };
globalThis.electronRecord = record;
let readyResolve;
record.ready = new Promise((r) => (readyResolve = r));

class WebContents extends EventEmitter {
  constructor(id) { super(); this.id = id; }
  setWindowOpenHandler(handler) { this.windowOpenHandler = handler; }
  async printToPDF() { return Buffer.from('%PDF'); }
  print(_o, cb) { cb(true); }
}
let nextId = 1;
export class BrowserWindow extends EventEmitter {
  constructor(options) { super(); this.options = options; this.webContents = new WebContents(nextId++); record.windows.push(this); }
  async loadFile(file) { this.loaded = file; }
  async loadURL(url) { this.loaded = url; if (record.loadDelayMs) await new Promise((r) => setTimeout(r, record.loadDelayMs)); }
  show() {} focus() {} restore() {} isMinimized() { return false; } isDestroyed() { return false; } destroy() {}
}
class App extends EventEmitter {
  requestSingleInstanceLock() { return true; }
  whenReady() { readyResolve(); return Promise.resolve(); }
  getAppPath() { return process.cwd(); }
  getPath() { return process.env.LBC_DATA_DIR; }
  on(event, listener) { record.appEvents.push(event); return super.on(event, listener); }
  quit() {
    record.quits += 1;
    // Electron emits before-quit; a handler may preventDefault and quit again later.
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => { prevented = true; } });
    if (!prevented) record.quitted = true;
  }
}
export const app = new App();
/** Message boxes main shows on a window: recorded with their options. */
export const dialog = {
  async showMessageBox(window, options) { record.dialogs.push({ window, options }); return { response: 0, checkboxChecked: false }; },
};
export const ipcMain = { handle: (ch, fn) => { if (record.handlers.has(ch)) throw new Error(`duplicate ${ch}`); record.handlers.set(ch, fn); } };
export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived(listener) { record.headersListener = listener; } },
    setPermissionRequestHandler(handler) { record.permissionHandler = handler; },
  },
};

/** Electron's UtilityProcess over a Node child process. */
class UtilityProcess extends EventEmitter {
  constructor(modulePath, args, options) {
    super();
    this.exitCode = null;
    this.delivered = Promise.resolve();
    this.child = fork(modulePath, args, {
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      execArgv: ['--import', PARENT_PORT],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.pid = this.child.pid;
    for (const s of [this.child.stdout, this.child.stderr]) s.on('data', (d) => { record.coreOutput += d; if (process.env.LBC_STAND_IN_VERBOSE) process.stderr.write(d); });
    this.child.on('spawn', () => this.emit('spawn'));
    this.child.on('message', (m) => this.emit('message', m));
    this.child.on('exit', (code, signal) => { this.exitCode = code ?? (signal ? 1 : 0); this.emit('exit', this.exitCode); });
  }
  postMessage(message) {
    const delay = record.deliveryDelayMs;
    this.delivered = this.delivered.then(async () => {
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (this.child.connected) this.child.send(message);
    });
  }
  kill() { return this.child.kill('SIGKILL'); }
}
export const utilityProcess = {
  fork(modulePath, args = [], options = {}) {
    const p = new UtilityProcess(modulePath, args, options);
    record.forks.push({ modulePath, args, options, process: p });
    return p;
  },
};

// ---- the renderer side, for loadPreload ----
let preloadWindow = null;
export const contextBridge = {
  exposeInMainWorld(key, api) {
    if (key in record.exposed) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    record.exposed[key] = api;
  },
};
export const ipcRenderer = {
  async invoke(ch, ...args) {
    record.invocations.push(ch);
    const handler = record.handlers.get(ch);
    if (!handler) throw new Error(`Error invoking remote method '${ch}': Error: No handler registered for '${ch}'`);
    const page = preloadWindow;
    const event = { sender: page.webContents, senderFrame: { url: pathToFileURL(page.loaded).href } };
    try {
      // Arguments and results cross by structured clone, as over Electron's IPC.
      return structuredClone(await handler(event, ...structuredClone(args)));
    } catch (e) {
      throw new Error(`Error invoking remote method '${ch}': ${e}`);
    }
  },
};

/** Runs the window's preload as Electron runs a sandboxed one: a CommonJS body whose require knows only 'electron'. */
export function loadPreload(window) {
  preloadWindow = window;
  const file = window.options.webPreferences.preload;
  const source = readFileSync(file, 'utf8');
  const module = { exports: {} };
  const sandboxedRequire = (name) => {
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error(`module not found: ${name} (a sandboxed preload may only require electron)`);
  };
  new Function('require', 'module', 'exports', '__filename', '__dirname', source)(sandboxedRequire, module, module.exports, file, fileURLToPath(new URL('.', pathToFileURL(file))));
  return record.exposed;
}

export default { app, BrowserWindow, dialog, ipcMain, session, utilityProcess, contextBridge, ipcRenderer };
