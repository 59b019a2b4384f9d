// The platform simulator in a process of its own: `node --import tsx core/simulator/main.ts
// --data DIR [--port N]`. `npm start` runs it so, off the counter's event loop (in the same process
// it took about a quarter of a settle's CPU). Prints one JSON line {url, port} on stdout once it
// listens; stops on SIGINT/SIGTERM, and when the process that forked it goes away (the IPC
// channel closes even if that process is killed outright), so it never outlives the counter.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from './server.ts';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' }, data: { type: 'string' } } });
  if (!values.data) throw new Error('give --data DIR for the simulator database');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`);
  const sim = await startSimulator({ port, dataDir: values.data, host: '127.0.0.1' });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.stdout.write(JSON.stringify({ url: sim.url, port: sim.port }) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(`simulator: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
