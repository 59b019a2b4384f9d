// The preload: the only bridge between the sandboxed renderer and the main process. It exposes
// `window.counter` (the service, same method names as the browser shell) and
// `window.counterShell` (printing). Nothing else of Node or Electron reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_METHODS, PRINT_CHANNEL, channel } from './methods.ts';

const counter = Object.fromEntries(BRIDGE_METHODS.map((m) => [m, (input: unknown) => ipcRenderer.invoke(channel(m), input)]));

contextBridge.exposeInMainWorld('counter', counter);
contextBridge.exposeInMainWorld('counterShell', {
  kind: 'electron',
  print: (job: unknown) => ipcRenderer.invoke(PRINT_CHANNEL, job),
});
