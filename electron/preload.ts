// The preload: the only bridge between the sandboxed renderer and the main process. It exposes
// `window.counter` (the service, same method names as the browser shell) and
// `window.counterShell` (printing). Nothing else of Node or Electron reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { SCREEN_METHODS } from '../core/service/contract.ts';
import { PRINT_CHANNEL, PRINTERS_CHANNEL, channel } from './methods.ts';

// One function per screen method of the contract (the bundle carries the contract with it).
const counter = Object.fromEntries(SCREEN_METHODS.map((m) => [m, (input: unknown) => ipcRenderer.invoke(channel(m), input)]));

contextBridge.exposeInMainWorld('counter', counter);
contextBridge.exposeInMainWorld('counterShell', {
  kind: 'electron',
  print: (job: unknown) => ipcRenderer.invoke(PRINT_CHANNEL, job),
  printers: () => ipcRenderer.invoke(PRINTERS_CHANNEL),
});
