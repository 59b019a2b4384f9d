// Preloaded (--import) into a process forked by the stand-in's utilityProcess.fork: gives it
// Electron's process.parentPort — 'message' events carry { data, ports }, postMessage answers —
// over Node's child-process channel (structured clone, as Electron's port uses). As Electron's
// port does, it queues what arrives before the process listens, so nothing sent early is lost.
import { EventEmitter } from 'node:events';

const parentPort = new EventEmitter();
let queue = [];
process.on('message', (data) => {
  if (queue) queue.push(data);
  else parentPort.emit('message', { data, ports: [] });
});
parentPort.on('newListener', (event) => {
  if (event !== 'message' || !queue) return;
  process.nextTick(() => {
    const early = queue;
    queue = null;
    for (const data of early) parentPort.emit('message', { data, ports: [] });
  });
});
parentPort.postMessage = (message) => process.send(message);
parentPort.start = () => {};
process.parentPort = parentPort;
