// Starts electron-shell-harness.ts (the built main process under the stand-in electron, its
// core forked, its preload loaded) on a data directory, and talks to it: bridge calls as the
// page makes them, the IPC channels the preload invoked, quit.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/build-shell.ts';

export interface BridgeShape {
  functions: string[];
  values: Record<string, unknown>;
}

export interface ShellHarness {
  /** The file main.ts loaded into its window (the built renderer's index.html). */
  renderer: string;
  /** What the preload exposed on window, by name: its functions and plain values. */
  bridges: Record<string, BridgeShape>;
  /** The headers main's session adds to its pages. */
  headers: Record<string, string[]>;
  invoke(bridge: string, method: string, args: unknown[]): Promise<unknown>;
  invocations(): Promise<string[]>;
  quit(): Promise<{ quitted: boolean; coreExit: number | null }>;
  output(): string;
}

export async function startShellHarness(dataDir: string): Promise<ShellHarness> {
  const child = fork(fileURLToPath(new URL('./electron-shell-harness.ts', import.meta.url)), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LBC_DATA_DIR: dataDir, LBC_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const ready = new Promise<{ renderer: string; bridges: Record<string, BridgeShape>; headers: Record<string, string[]> }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the shell harness did not start in 60 s:\n${out}`)), 60_000);
    child.on('message', (m: { kind?: string; id?: number; ok?: boolean; value?: unknown; message?: string; renderer?: string; bridges?: Record<string, BridgeShape>; headers?: Record<string, string[]> }) => {
      if (m.kind === 'ready') {
        clearTimeout(timer);
        resolve({ renderer: m.renderer!, bridges: m.bridges!, headers: m.headers! });
        return;
      }
      const w = waiting.get(m.id!);
      if (!w) return;
      waiting.delete(m.id!);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(m.message));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the shell harness exited (${code}):\n${out}`));
      for (const w of waiting.values()) w.reject(new Error(`the shell harness exited (${code})`));
    });
  });
  const request = (m: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ ...m, id });
    });
  const shape = await ready;
  return {
    ...shape,
    invoke: (bridge, method, args) => request({ kind: 'invoke', bridge, method, args }),
    invocations: () => request({ kind: 'invocations' }) as Promise<string[]>,
    quit: async () => {
      if (child.exitCode !== null) return { quitted: false, coreExit: null };
      const r = (await request({ kind: 'quit' })) as { quitted: boolean; coreExit: number | null };
      if (child.exitCode === null) await new Promise((res) => child.once('exit', res));
      return r;
    },
    output: () => out,
  };
}
