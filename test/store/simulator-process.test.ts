// The platform simulator as its own process (core/simulator/main.ts, how `npm start` runs it):
// it says where it listens, answers there, and exits when the process that started it goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the simulator process prints its address, answers there, and exits when its parent disconnects', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lbc-sim-proc-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/simulator/main.ts', '--port', '0', '--data', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no address in 30 s: ${out}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]!);
        }
      });
    });
    const { url, port } = JSON.parse(line) as { url: string; port: number };
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/?$/);
    assert.ok(port > 0);
    const probe = (await (await fetch(url)).json()) as { ok: boolean };
    assert.equal(probe.ok, true);
    child.disconnect();
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the simulator process refuses to start without a data directory', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/simulator/main.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 1);
  assert.match(err, /--data DIR/);
});
