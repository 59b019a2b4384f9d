// Throttling of PIN checks (issue 13, reproduction 8: at 54 ms a try every 4-digit PIN fell in
// about nine minutes). Wrong PINs are counted per operator and per source (the HTTP peer address,
// or 'screen' for the shell's IPC); after a few free mistakes each further one locks that operator
// and that source for a delay that doubles, up to a cap. While locked, a PIN is not even checked.
// A right PIN clears both counts. Pure: the clock is injected; state lives in memory (a restart of
// the counter is not something a guesser holding only the API token can cause).

export interface SignInGuardOptions {
  now?: () => number;
  log?: (line: string) => void;
  /** Wrong PINs allowed before the first delay. */
  freeFailures?: number;
  /** The first delay; each further wrong PIN doubles it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface Count {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export interface Lockout {
  /** Milliseconds until the next try is accepted. */
  waitMs: number;
  /** Which count locked it (for the log and the English message). */
  by: 'operator' | 'source';
}

const MAX_TRACKED = 10_000;

export class SignInGuard {
  private readonly counts = new Map<string, Count>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly free: number;
  private readonly base: number;
  private readonly max: number;

  constructor(o: SignInGuardOptions = {}) {
    this.now = o.now ?? (() => Date.now());
    this.log = o.log ?? (() => {});
    this.free = o.freeFailures ?? 3;
    this.base = o.baseDelayMs ?? 5_000;
    this.max = o.maxDelayMs ?? 15 * 60_000;
  }

  /** The delay still to wait before this operator may try from this source, or null. */
  check(operatorId: string, source: string, what = 'sign-in'): Lockout | null {
    const t = this.now();
    const op = this.counts.get(`op:${operatorId}`);
    const src = this.counts.get(`src:${source}`);
    const opWait = op ? op.lockedUntil - t : 0;
    const srcWait = src ? src.lockedUntil - t : 0;
    if (opWait <= 0 && srcWait <= 0) return null;
    const lock: Lockout = opWait >= srcWait ? { waitMs: opWait, by: 'operator' } : { waitMs: srcWait, by: 'source' };
    this.log(`${what} refused without checking the PIN: operator ${operatorId} from ${source} is locked (${lock.by}) for ${Math.ceil(lock.waitMs / 1000)} s more`);
    return lock;
  }

  /** Counts a wrong PIN (or unknown operator) and returns the lockout it starts, if any. */
  failed(operatorId: string, source: string, what = 'sign-in'): Lockout | null {
    const t = this.now();
    this.prune(t);
    const op = this.bump(`op:${operatorId}`, t);
    const src = this.bump(`src:${source}`, t);
    const wait = Math.max(op.lockedUntil, src.lockedUntil) - t;
    this.log(
      `${what} failed: wrong PIN or unknown operator ${operatorId} from ${source} (${op.failures} in a row for the operator, ${src.failures} from the source)` +
        (wait > 0 ? `; locked for ${Math.ceil(wait / 1000)} s` : ''),
    );
    return wait > 0 ? { waitMs: wait, by: op.lockedUntil >= src.lockedUntil ? 'operator' : 'source' } : null;
  }

  succeeded(operatorId: string, source: string): void {
    this.counts.delete(`op:${operatorId}`);
    this.counts.delete(`src:${source}`);
  }

  private bump(key: string, t: number): Count {
    const c = this.counts.get(key) ?? { failures: 0, lockedUntil: 0, lastFailure: 0 };
    c.failures++;
    c.lastFailure = t;
    const over = c.failures - this.free;
    if (over > 0) c.lockedUntil = t + Math.min(this.max, this.base * 2 ** Math.min(over - 1, 30));
    this.counts.set(key, c);
    return c;
  }

  /** Forgets counts idle longer than the longest delay, so guessed operator ids cannot grow memory without end. */
  private prune(t: number): void {
    if (this.counts.size < MAX_TRACKED) return;
    for (const [k, c] of this.counts) if (c.lockedUntil <= t && t - c.lastFailure > this.max) this.counts.delete(k);
    // Still full of live entries: drop the oldest (Map keeps insertion order).
    for (const k of this.counts.keys()) {
      if (this.counts.size < MAX_TRACKED) break;
      this.counts.delete(k);
    }
  }
}

/** The screen's words for a lockout. */
export function lockoutZh(waitMs: number): string {
  return `连续输错，请 ${Math.max(1, Math.ceil(waitMs / 1000))} 秒后再试`;
}
