// Starts `npm start`'s launcher as a child process (the same code path a user runs) on a fresh
// data directory for one region, and stops it. The launcher runs the simulator in a child process of its own on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenPath } from '../../core/http/token.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CounterProcess {
  url: string;
  /** A fresh one-time address for the browser shell: asked of the launcher as a user does (Enter on its terminal). */
  openUrl(): Promise<string>;
  /** The plugin token (the host POS reads api-token in the data directory). */
  token: string;
  dataDir: string;
  platform: string;
  output: () => string;
  stop(): Promise<void>;
}

/** `dataDir`: start again on the data of a counter stopped before (a restart); a fresh directory by default. */
export async function startCounterProcess(region: string, extra: string[] = [], dataDir = mkdtempSync(join(tmpdir(), `lbc-e2e-${region}-`))): Promise<CounterProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'core/app/start.ts', '--no-open', '--browser', '--port', '0', '--data', dataDir, '--region', region, '--fixture', ...extra], {
    cwd: ROOT,
    env: { ...process.env, LBC_DATA_DIR: dataDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`counter did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /Counter running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      // The banner's last line: everything above it (platform, data) has been printed.
      if (m && out.includes('demo patient')) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`counter exited (${code}):\n${out}`));
    });
  });
  const token = readFileSync(tokenPath(dataDir), 'utf8').trim();
  const openUrl = async (): Promise<string> => {
    const seen = (out.match(/ open: \S+/g) ?? []).length;
    child.stdin!.write('\n');
    for (let i = 0; i < 400; i++) {
      const all = out.match(/ open: (\S+)/g) ?? [];
      if (all.length > seen) return all[all.length - 1]!.slice(' open: '.length);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the launcher printed no new address:\n${out}`);
  };
  const platform = /platform: (\S+)/.exec(out)?.[1] ?? '';
  return {
    url,
    openUrl,
    token,
    dataDir,
    platform,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** A screen token, as the browser shell gets one: a fresh one-time code from the launcher, exchanged once. */
export async function screenToken(c: CounterProcess): Promise<string> {
  const code = /#code=([\w-]+)/.exec(await c.openUrl())![1]!;
  const res = await fetch(`${c.url}/v1/screen-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  return ((await res.json()) as { token: string }).token;
}

/** Calls the plugin API the way a host POS would (the plugin token). */
export async function api<T = unknown>(c: { url: string; token: string }, method: string, body: unknown, token = c.token): Promise<{ status: number; body: T }> {
  const res = await fetch(`${c.url}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

const screenTokens = new WeakMap<CounterProcess, Promise<string>>();
/** Calls a screen method the way the browser shell does (a screen token, not the plugin token). */
export async function screenApi<T = unknown>(c: CounterProcess, method: string, body: unknown): Promise<{ status: number; body: T }> {
  if (!screenTokens.has(c)) screenTokens.set(c, screenToken(c));
  return api<T>(c, method, body, await screenTokens.get(c)!);
}

export interface SimulatorProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts the simulator in its own process (port 0: any free port). */
export async function startSimulatorProcess(dataDir: string, port = 0): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/simulator-process.ts', String(port), dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Simulator running at (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`simulator exited (${code}):\n${out}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
