// One writer per data directory (anchors B: odoo #152259, two tabs syncing the same orders).
// The lock is a file created with O_EXCL holding the owner's pid; a lock whose process is gone
// (killed, crashed) is stale and is taken over, so a SIGKILL never blocks the counter for good.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../contract/problems.ts';

export const LOCK_FILE_NAME = 'counter.lock';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  purpose: string;
  /** The process's start time in clock ticks (Linux /proc), so a recycled pid is not mistaken for the owner. */
  procStart?: string | null;
}

/** Field 22 of /proc/PID/stat (start time since boot); null where /proc is not there (Windows, macOS). */
function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

export interface DataDirLock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): void;
}

function alive(owner: LockOwner): boolean {
  const pid = owner.pid;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Same pid, different start time: the owner died and the pid was reused by another program.
  if (owner.procStart) {
    const now = procStart(pid);
    if (now !== null && now !== owner.procStart) return false;
  }
  return true;
}

function readOwner(path: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

export class LockedError extends InputError {
  constructor(
    readonly dir: string,
    readonly holder: LockOwner | null,
  ) {
    const who = holder ? `process ${holder.pid} (${holder.purpose}, since ${holder.startedAt})` : 'another process';
    super(
      'DATA_DIR_LOCKED',
      `The data directory ${dir} is in use by ${who}; only one counter may write to it. Close the other window or program and try again.`,
      `数据目录正被另一个柜台程序使用（进程 ${holder?.pid ?? '未知'}），同一数据目录只能打开一个。请关闭另一个窗口或程序后重试。`,
    );
  }
}

/**
 * Takes the data directory's single-instance lock or throws LockedError. A lock left by a
 * process that no longer runs on this host is removed and taken (an unreadable lock file too,
 * once it is older than a write could take).
 */
export function acquireLock(dataDir: string, purpose = 'counter'): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), purpose, procStart: procStart(process.pid) };
  for (let tries = 0; tries < 5; tries++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(owner));
      } finally {
        closeSync(fd);
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const current = readOwner(path);
        if (current && current.pid === owner.pid && current.startedAt === owner.startedAt) {
          try {
            unlinkSync(path);
          } catch {
            /* already gone */
          }
        }
      };
      return { path, owner, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readOwner(path);
    const stale = holder ? holder.host === hostname() && holder.pid !== process.pid && !alive(holder) : tries >= 2;
    if (holder && holder.pid === process.pid && holder.host === hostname()) throw new LockedError(dataDir, holder);
    if (!stale) {
      if (holder) throw new LockedError(dataDir, holder);
      // Unreadable: the owner may be between create and write; look again shortly.
      sleepMs(20);
      continue;
    }
    // Stale: move it aside atomically (only one taker wins the rename), then retry the create.
    const aside = `${path}.stale-${process.pid}-${Date.now()}`;
    try {
      renameSync(path, aside);
      const moved = readOwner(aside);
      if (holder && moved && (moved.pid !== holder.pid || moved.startedAt !== holder.startedAt)) {
        // Another process replaced the stale lock between our read and our rename: put theirs back.
        try {
          linkSync(aside, path);
        } catch {
          /* a third process holds it now; ours to discard either way */
        }
      }
      unlinkSync(aside);
    } catch {
      /* someone else took it over first; loop and look again */
    }
  }
  throw new LockedError(dataDir, readOwner(path));
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs fn holding the lock, releasing it however fn ends. */
export async function withLock<T>(dataDir: string, purpose: string, fn: () => Promise<T> | T): Promise<T> {
  const lock = acquireLock(dataDir, purpose);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
