// `npm start`: the counter with demo data. With Electron's binary present it launches the desktop
// app; otherwise (as on machines where Electron cannot be downloaded) it starts the local
// service on a fresh data directory seeded with demo data, starts the platform simulator on
// loopback, points the counter at it, prints the address and opens Chromium in app mode when a
// display is available.
//   --port N        listen on this port (default 17860; 0 = any free port)
//   --no-open       do not open a browser window
//   --data DIR      use (and keep) this data directory instead of a fresh one
//   --region ID     demo region: lincang (default), chongqing, kunming, ezhou, dazhou
//   --endpoint URL  use this platform endpoint instead of the embedded simulator
//   --browser       use the browser shell even when Electron is installed
//   --fixture       seed the small test fixture (core/app/fixture.ts) instead of the demo data
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { electronBinary } from './electron-binary.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../store/db.ts';
import { countPatients } from '../store/roster.ts';
import { startCounter } from './counter.ts';
import { rendererDir } from '../config/paths.ts';
import { startSimulator } from '../simulator/index.ts';
import { FIXTURE_REGIONS, seedFixture, setRegion, writeSitePolicies, type RegionId } from './fixture.ts';
import { SITE_POLICY_ENV, loadPolicyBook } from '../policy/index.ts';
import { DEMO_DIR, DEMO_INSTITUTIONS, DEMO_ROSTER_FILE } from '../demo/seed.ts';
import { lookupPatient } from '../patient/index.ts';
import { serviceDate } from '../clock/index.ts';
import { acquireLock } from '../store/lock.ts';
import { seedDemoCounter } from './demo.ts';
import type { DB } from '../store/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));


async function ensureRenderer(log: (s: string) => void): Promise<void> {
  if (rendererDir()) return;
  log('Building the counter screen (dist/renderer)…');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** An ID number of the demo roster that is eligible at the demo institution today (printed for the user to type). */
function firstEligible(db: DB, region: RegionId): string | null {
  const book = loadPolicyBook();
  const today = serviceDate();
  for (const line of readFileSync(join(DEMO_DIR, DEMO_ROSTER_FILE), 'utf8').split('\n').slice(1)) {
    const certno = line.split(',')[1];
    if (!certno || !certno.startsWith(DEMO_INSTITUTIONS[region].region.slice(0, 4))) continue;
    try {
      if (lookupPatient(db, book, certno, today).eligibility.eligible) return certno;
    } catch {
      /* not readable: next */
    }
  }
  return null;
}


export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '17860' },
      'no-open': { type: 'boolean', default: false },
      data: { type: 'string' },
      region: { type: 'string', default: 'lincang' },
      endpoint: { type: 'string' },
      browser: { type: 'boolean', default: false },
      'no-simulator': { type: 'boolean', default: false },
      fixture: { type: 'boolean', default: false },
    },
  });
  const log = (s: string) => process.stdout.write(s + '\n');
  const region = values.region as RegionId;
  if (!FIXTURE_REGIONS[region]) throw new Error(`unknown region ${region}; use one of ${Object.keys(FIXTURE_REGIONS).join(', ')}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`);

  const electron = values.browser ? null : electronBinary();
  if (electron) {
    log('Starting the desktop counter (Electron)…');
    await ensureRenderer(log);
    const child = spawn(electron, [ROOT], { stdio: 'inherit', env: { ...process.env, LBC_DEMO_REGION: region } });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }

  await ensureRenderer(log);
  const dataDir = values.data ?? mkdtempSync(join(tmpdir(), 'liangbing-counter-demo-'));
  // Dazhou publishes no rates (seed 004): the demo carries a site policy file, marked as such.
  if (!process.env[SITE_POLICY_ENV]) process.env[SITE_POLICY_ENV] = writeSitePolicies(join(dataDir, 'site-policies'));

  // The platform simulator on loopback, unless an endpoint is given.
  let endpoint = values.endpoint ?? '';
  let simulator: { url: string; close(): Promise<void> | void } | null = null;
  if (!endpoint && !values['no-simulator']) {
    simulator = await startSimulator({ port: 0, dataDir: join(dataDir, 'simulator'), host: '127.0.0.1' });
    endpoint = simulator.url;
  }

  const lock = acquireLock(dataDir, 'counter');
  const db = openDatabase(dataDir);
  let demoPatient = FIXTURE_REGIONS[region].eligible;
  if (values.fixture) {
    if (countPatients(db) === 0) seedFixture(db, region, endpoint || null);
    else setRegion(db, region, endpoint || null);
  } else {
    seedDemoCounter(db, region, endpoint || null);
    demoPatient = firstEligible(db, region) ?? '(see resources/demo/roster.csv)';
  }
  db.close();

  const counter = await startCounter({ dataDir, port, demo: true, simulatorHints: true, lock });
  const openUrl = `${counter.url}/#token=${counter.token}`;
  writeFileSync(join(dataDir, 'counter-url'), openUrl + '\n', { mode: 0o600 });
  log(`Counter running at ${counter.url}`);
  log(`  open: ${openUrl}`);
  log(`  data: ${dataDir}`);
  log(`  platform: ${endpoint || '(none)'}`);
  log(`  sign in: 王药师 PIN 1234 · 李收费 PIN 5678 · 陈管理 PIN 0000`);
  log(`  demo patient (${region}): ${demoPatient}`);

  if (!values['no-open'] && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === 'win32')) {
    const browser = ['chromium', 'chromium-browser', 'google-chrome'].find((b) => spawnSync('which', [b]).status === 0);
    if (browser) {
      spawn(browser, [`--app=${openUrl}`, '--no-first-run', `--user-data-dir=${join(dataDir, 'chromium-profile')}`], { stdio: 'ignore', detached: true }).unref();
    } else log('  (no Chromium found: open the address above in a browser)');
  }

  const stop = async () => {
    await counter.close();
    await simulator?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
