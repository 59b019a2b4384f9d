// A counter process for the crash test's HTTP run: the real service behind the real loopback
// HTTP server, its uploader draining to the simulator. The parent is the caller (it settles over
// HTTP and remembers every answer) and SIGKILLs this process at random points.
import { startCounter } from '../../core/app/counter.ts';
import { acquireLock } from '../../core/store/lock.ts';
import { Uploader } from '../../core/outbox/uploader.ts';

const [dataDir, endpoint] = process.argv.slice(2);
const lock = acquireLock(dataDir!, 'crash-http-worker');
const counter = await startCounter({
  dataDir: dataDir!,
  lock,
  port: 0,
  staticDir: null,
  log: () => {},
  // The crash test's short timeouts and backoffs, so the drain is killed mid-send as often as possible.
  uploader: (db) => {
    const up = new Uploader(db, { endpoint: endpoint!, timeoutMs: 150, concurrency: 8, batchSize: 16, backoffBaseMs: 10, backoffCapMs: 100, maxFailures: 100_000 });
    up.start();
    return { wake: () => up.poke(), stop: async () => (await up.stop(), up.close()) };
  },
});
process.stdout.write(`ready ${counter.url} ${counter.token}\n`);
process.on('SIGTERM', () => void counter.close().then(() => process.exit(0)));
