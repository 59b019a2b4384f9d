// A stand-in for the `electron` module: records what the built main process asks of Electron
// (windows and their options, IPC handlers, app events, quits) on globalThis.electronRecord.
import { EventEmitter } from 'node:events';

const record = { windows: [], handlers: new Map(), quits: 0, ready: null };
globalThis.electronRecord = record;
let readyResolve;
record.ready = new Promise((r) => (readyResolve = r));

class WebContents extends EventEmitter {
  constructor(id) { super(); this.id = id; }
  setWindowOpenHandler() {}
  async printToPDF() { return Buffer.from('%PDF'); }
  print(_o, cb) { cb(true); }
}
let nextId = 1;
export class BrowserWindow extends EventEmitter {
  constructor(options) { super(); this.options = options; this.webContents = new WebContents(nextId++); record.windows.push(this); }
  async loadFile(file) { this.loaded = file; }
  async loadURL(url) { this.loaded = url; if (record.loadDelayMs) await new Promise((r) => setTimeout(r, record.loadDelayMs)); }
  show() {} focus() {} restore() {} isMinimized() { return false; } destroy() {}
}
class App extends EventEmitter {
  requestSingleInstanceLock() { return true; }
  whenReady() { readyResolve(); return Promise.resolve(); }
  getAppPath() { return process.cwd(); }
  getPath() { return process.env.LBC_DATA_DIR; }
  quit() {
    record.quits += 1;
    // Electron emits before-quit; a handler may preventDefault and quit again later.
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => { prevented = true; } });
    if (!prevented) record.quitted = true;
  }
}
export const app = new App();
export const ipcMain = { handle: (ch, fn) => { if (record.handlers.has(ch)) throw new Error(`duplicate ${ch}`); record.handlers.set(ch, fn); } };
export const session = { defaultSession: { webRequest: { onHeadersReceived() {} }, setPermissionRequestHandler() {} } };
export const contextBridge = {};
export const ipcRenderer = {};
export default { app, BrowserWindow, ipcMain, session };
