// The platform simulator as its own process, so a test can take the platform away mid-shift
// (kill it) and bring it back on the same port with the same data.
import { startSimulator } from '../../core/simulator/index.ts';

const port = Number(process.argv[2] ?? 0);
const dataDir = process.argv[3]!;
const sim = await startSimulator({ port, host: '127.0.0.1', dataDir });
process.stdout.write(`Simulator running at ${sim.url}\n`);
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
