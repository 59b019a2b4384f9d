// `npm start`: the counter with demo data. With Electron's binary present it launches the desktop
// app; otherwise (as on machines where Electron cannot be downloaded) it starts the local
// service on a fresh data directory seeded with demo data, starts the platform simulator on
// loopback in a child process of its own (stopped with the counter), points the counter at it,
// prints the address and opens Chromium in app mode when a display is available.
//   --port N        listen on this port (default 17860; 0 = any free port)
//   --no-open       do not open a browser window
//   --data DIR      use (and keep) this data directory instead of a fresh one
//   --region ID     demo region: lincang (default), chongqing, kunming, ezhou, dazhou
//   --endpoint URL  use this platform endpoint instead of the embedded simulator
//   --browser       use the browser shell even when Electron is installed
//   --fixture       seed the small test fixture (core/app/fixture.ts) instead of the demo data
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { electronBinary } from './electron-binary.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../store/db.ts';
import { countPatients } from '../store/roster.ts';
import { startCounter } from './counter.ts';
import { rendererDir } from '../config/paths.ts';
import { CODE_TTL_MS } from '../http/screen-access.ts';
import { FIXTURE_REGIONS, seedFixture, setRegion, writeSitePolicies, type RegionId } from './fixture.ts';
import { SITE_POLICY_ENV, loadPolicyBook } from '../policy/index.ts';
import { DEMO_DIR, DEMO_INSTITUTIONS, DEMO_ROSTER_FILE } from '../demo/seed.ts';
import { lookupPatient } from '../patient/index.ts';
import { serviceDate } from '../clock/index.ts';
import { acquireLock } from '../store/lock.ts';
import { seedDemoCounter } from './demo.ts';
import type { DB } from '../store/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SIMULATOR_MAIN = fileURLToPath(new URL('../simulator/main.ts', import.meta.url));

/**
 * The platform simulator as a child process (core/simulator/main.ts), so its work never shares the
 * counter's event loop. Resolves once it listens; close() stops it and waits for it to exit.
 */
function startSimulatorProcess(dataDir: string): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SIMULATOR_MAIN, '--port', '0', '--data', dataDir], {
    cwd: ROOT,
    // The IPC channel lets the simulator notice when the counter is gone, however it went.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the platform simulator did not start in 30 s: ${out}`));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0]!;
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      try {
        const { url } = JSON.parse(line) as { url: string };
        resolve({ url, child, close });
      } catch {
        reject(new Error(`the platform simulator said ${JSON.stringify(line)}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the platform simulator exited (${code}) before it listened`));
    });
  });
}


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


/**
 * Started as a background job of a terminal (`npm start &`): reading the terminal would stop the
 * process (SIGTTIN), so no Enter-for-a-new-address there. Linux tells by /proc; elsewhere assume not.
 */
function startedInBackground(): boolean {
  if (!process.stdin.isTTY) return false;
  try {
    // /proc/self/stat: pid (comm) state ppid pgrp session tty_nr tpgid …
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[2] !== f[5];
  } catch {
    return false;
  }
}

/** The browser shell's address: a one-time code in the fragment (never a token; the page exchanges it). */
export function screenUrl(base: string, code: string): string {
  return `${base}/#code=${code}`;
}

/**
 * The page Chromium is opened on: a file only the counter's user can read (0600, in a 0700 folder)
 * that forwards at once to the screen's address with its one-time code. So the code is not on the
 * command line either, and another local user cannot race the window to it.
 */
export function writeLaunchPage(dir: string, url: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  const file = join(dir, `open-${randomBytes(8).toString('hex')}.html`);
  const href = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  writeFileSync(file, `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${href}"><title>两病柜台</title>\n`, { mode: 0o600 });
  if (process.platform !== 'win32') chmodSync(file, 0o600);
  return file;
}

/**
 * Chromium's command line for the browser shell. Every local user can read it (`ps`), so it holds
 * only the path of the launch page (./writeLaunchPage): never the plugin token, a screen token or
 * the one-time code.
 */
export function browserArgs(launchPage: string, profileDir: string): string[] {
  return [`--app=${pathToFileURL(launchPage).href}`, '--no-first-run', `--user-data-dir=${profileDir}`];
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
  let stopping = false;
  const region = values.region as RegionId;
  if (!FIXTURE_REGIONS[region]) throw new Error(`unknown region ${region}; use one of ${Object.keys(FIXTURE_REGIONS).join(', ')}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`);

  const electron = values.browser ? null : electronBinary();
  if (electron) {
    log('Starting the desktop counter (Electron)…');
    await ensureRenderer(log);
    // The shell runs from its bundles (main, the core process it forks, the preload): build them from this tree.
    if (spawnSync(process.execPath, ['--import', 'tsx', 'electron/build.ts'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('building the desktop shell failed (see above; npm run build:electron)');
    // The core seeds the demo data for this region into an empty data folder (LBC_DEMO_REGION).
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
  let simulator: Awaited<ReturnType<typeof startSimulatorProcess>> | null = null;
  if (!endpoint && !values['no-simulator']) {
    simulator = await startSimulatorProcess(join(dataDir, 'simulator'));
    endpoint = simulator.url;
    const sim = simulator;
    // An abnormal exit of the counter still takes the simulator with it.
    process.on('exit', () => sim.child.kill('SIGTERM'));
    sim.child.on('exit', (code, signal) => {
      if (!stopping) log(`platform simulator stopped (${signal ?? code}); the counter keeps running, uploads wait for the platform`);
    });
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
  // The address only (no credential): the host POS reads api-token, the screen gets one-time codes.
  writeFileSync(join(dataDir, 'counter-url'), counter.url + '/\n', { mode: 0o600 });
  log(`Counter running at ${counter.url}`);
  log(`  open: ${screenUrl(counter.url, counter.screenCode())}  (works once, within a minute; press Enter here for a new one)`);
  log(`  data: ${dataDir}`);
  log(`  platform: ${endpoint || '(none)'}`);
  log(`  sign in: 王药师 PIN 1234 · 李收费 PIN 5678 · 陈管理 PIN 0000`);
  log(`  demo patient (${region}): ${demoPatient}`);

  const canOpen = !values['no-open'] && Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === 'win32');
  const browser = canOpen ? ['chromium', 'chromium-browser', 'google-chrome'].find((b) => spawnSync('which', [b]).status === 0) : undefined;
  const launchDir = join(dataDir, 'launch');
  rmSync(launchDir, { recursive: true, force: true });
  const openWindow = () => {
    if (!browser) return;
    const page = writeLaunchPage(launchDir, screenUrl(counter.url, counter.screenCode()));
    spawn(browser, browserArgs(page, join(dataDir, 'chromium-profile')), { stdio: 'ignore', detached: true }).unref();
    // Spent or expired by then: nothing worth keeping on disk.
    setTimeout(() => rmSync(page, { force: true }), CODE_TTL_MS + 5000).unref();
  };
  if (canOpen && !browser) log('  (no Chromium found: open the address above in a browser)');
  openWindow();
  // Enter on the launcher's terminal: a fresh one-time address (and a new window when one can be opened).
  if (!startedInBackground()) {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      for (let i = 0; i < (chunk.match(/\n/g) ?? []).length; i++) {
        log(`  open: ${screenUrl(counter.url, counter.screenCode())}`);
        openWindow();
      }
    });
    process.stdin.on('error', () => {});
  }

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    rmSync(launchDir, { recursive: true, force: true });
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
