// The core process (bundled to dist-electron/core.js), forked by main.ts with Electron's
// utilityProcess: the database, the plugin API, the uploader and reports run here, off the
// window's main thread. It only connects process.parentPort to core/app/core-host.ts.
import { serveCore } from '../core/app/core-host.ts';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('dist-electron/core.js runs as an Electron utility process (process.parentPort is missing)');

serveCore(
  { onMessage: (listener) => parentPort.on('message', (e) => listener(e.data)), post: (reply) => parentPort.postMessage(reply) },
  { exit: (code) => process.exit(code) },
);
