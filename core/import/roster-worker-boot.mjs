// Worker entry: TypeScript sources run through tsx, which a worker thread must register itself.
// Any failure to start is reported on the port, because the main thread is blocked waiting.
import { workerData } from 'node:worker_threads';

try {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./roster-worker.ts');
} catch (e) {
  const signal = new Int32Array(workerData.signal);
  workerData.port.postMessage({ type: 'error', input: false, code: 'INTERNAL', message: `import worker failed to start: ${e?.stack ?? e}`, messageZh: '导入工作线程启动失败', problems: [] });
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}
