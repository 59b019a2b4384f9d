// The plugin API's bearer token: 32 random bytes kept in the data directory, created on first
// start with mode 0600 so only the counter's own user can read it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'api-token';

export function tokenPath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE);
}

/** Reads the token, creating it (mode 0600) when absent; a file others can read is tightened. */
export function loadOrCreateToken(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = tokenPath(dataDir);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(text)) {
      if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return text;
    }
  }
  const token = randomBytes(32).toString('base64url');
  // 'wx' would fail on a corrupt file we are replacing, so write then chmod (umask may widen the mode).
  writeFileSync(file, token + '\n', { mode: 0o600 });
  if (process.platform !== 'win32') chmodSync(file, 0o600);
  return token;
}

/** Constant-time comparison of a presented bearer token. */
export function tokenMatches(expected: string, presented: string | undefined | null): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
