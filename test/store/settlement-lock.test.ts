// One writer per data directory: a second instance is refused in Chinese and English; a lock
// left by a killed process is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, LockedError, LOCK_FILE_NAME } from '../../core/store/lock.ts';
import { tempDir } from '../helpers/settlement.ts';

test('a second instance on the same data directory is refused with a clear message; after release it may start', () => {
  const dir = tempDir();
  const first = acquireLock(dir, 'counter');
  assert.throws(
    () => acquireLock(dir, 'upload'),
    (e: unknown) => e instanceof LockedError && /in use by process \d+ \(counter/.test(e.message) && /只能打开一个/.test(e.messageZh),
  );
  first.release();
  assert.equal(existsSync(join(dir, LOCK_FILE_NAME)), false);
  acquireLock(dir, 'again').release();
});

test('another live process holding the lock keeps it (the CLI refuses)', async () => {
  const dir = tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const { acquireLock } = await import(${JSON.stringify(new URL('../../core/store/lock.ts', import.meta.url).pathname)});
    acquireLock(${JSON.stringify(dir)}, 'holder'); console.log('locked'); setTimeout(() => {}, 20000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  try {
    assert.throws(() => acquireLock(dir, 'second'), LockedError);
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'upload', '--data', dir, '--endpoint', 'http://127.0.0.1:9/', '--once'], { encoding: 'utf8' });
    assert.equal(out.status, 2);
    assert.match(out.stderr, /DATA_DIR_LOCKED/);
    assert.match(out.stderr, /同一数据目录只能打开一个/);
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.once('exit', r));
  // Killed with the lock held: the next instance takes the stale lock over.
  const lock = acquireLock(dir, 'after-kill');
  assert.equal(JSON.parse(readFileSync(lock.path, 'utf8')).pid, process.pid);
  lock.release();
});

test('a stale lock file naming a process that no longer exists does not block', () => {
  const dir = tempDir();
  const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
  writeFileSync(join(dir, LOCK_FILE_NAME), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2024-01-01T00:00:00Z', purpose: 'crashed' }));
  const lock = acquireLock(dir, 'fresh');
  assert.equal(lock.owner.pid, process.pid);
  lock.release();
});

test('a lock naming a live pid that was recycled by another program (different start time) is stale', () => {
  const dir = tempDir();
  // Our own parent is alive, but the lock says the owner started at another time: a reused pid.
  writeFileSync(join(dir, LOCK_FILE_NAME), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2024-01-01T00:00:00Z', purpose: 'long gone', procStart: '1' }));
  if (!existsSync(`/proc/${process.ppid}/stat`)) return; // no /proc here: only the pid check applies
  const lock = acquireLock(dir, 'fresh');
  assert.equal(lock.owner.pid, process.pid);
  lock.release();
});
