// The browser shell's credential, apart from the host POS's plugin token. The launcher opens the
// screen on an address carrying a one-time code, by way of an owner-only launch page (never a
// token, nor the code, on a command line: `ps` shows it to every local user); the page exchanges
// the code once, over POST, for a screen token it keeps for the tab. A code works once and only for CODE_TTL_MS; screen tokens live in this process only
// (a restart asks for a new window) and are kept as hashes, so a lookup leaks nothing by timing.
import { createHash, randomBytes } from 'node:crypto';

export const CODE_TTL_MS = 60_000;
const TOKEN_IDLE_MS = 12 * 60 * 60 * 1000;
/** Outstanding codes and live screen tokens are bounded: the oldest goes first. */
const MAX_CODES = 16;
const MAX_TOKENS = 32;

const digest = (s: string) => createHash('sha256').update(s).digest('base64url');

export class ScreenAccess {
  private readonly codes = new Map<string, number>(); // hash → expires at
  private readonly tokens = new Map<string, number>(); // hash → last seen
  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh one-time code for opening the screen (valid CODE_TTL_MS, once). */
  issueCode(): string {
    const code = randomBytes(16).toString('base64url');
    this.sweep();
    if (this.codes.size >= MAX_CODES) this.codes.delete(this.codes.keys().next().value!);
    this.codes.set(digest(code), this.now() + CODE_TTL_MS);
    return code;
  }

  /** The code's screen token, once; null for a code that is unknown, already used or expired. */
  exchange(code: string): string | null {
    const key = digest(code);
    const expires = this.codes.get(key);
    this.codes.delete(key);
    if (expires === undefined || this.now() > expires) return null;
    const token = randomBytes(32).toString('base64url');
    if (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(digest(token), this.now());
    return token;
  }

  /** Whether a presented bearer token is a live screen token (and keeps it alive). */
  valid(token: string | null | undefined): boolean {
    if (!token) return false;
    const key = digest(token);
    const seen = this.tokens.get(key);
    if (seen === undefined) return false;
    if (this.now() - seen > TOKEN_IDLE_MS) {
      this.tokens.delete(key);
      return false;
    }
    this.tokens.set(key, this.now());
    return true;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, exp] of this.codes) if (t > exp) this.codes.delete(k);
  }
}
