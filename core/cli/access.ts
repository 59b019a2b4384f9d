// What every command that writes the data directory or talks to the platform shares: the data
// directory's single-instance lock around an open database, the endpoint (the flag, else the
// institution's platformEndpoint), and an Uploader (its client and 9001 session) closed afterwards.
import { resolveDataDir } from '../config/paths.ts';
import { InputError } from '../contract/problems.ts';
import { openDatabase, type DB } from '../store/db.ts';
import { acquireLock } from '../store/lock.ts';
import { requireInstitution } from '../store/settings.ts';
import { loadPlatformConfig } from '../platform/config.ts';
import { Uploader, type UploaderOptions } from '../outbox/uploader.ts';
import type { IdentifyDeps } from '../outbox/identify.ts';

/** The data directory's database under its writer lock; `release` closes it and frees the lock. */
export function openWriter(dataFlag: string | undefined, purpose: string): { db: DB; release: () => void } {
  const dir = resolveDataDir(dataFlag);
  const lock = acquireLock(dir, purpose);
  try {
    const db = openDatabase(dir);
    return {
      db,
      release: () => {
        db.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Runs `fn` on the data directory's database under its writer lock; both are released afterwards. */
export async function withWriter<T>(dataFlag: string | undefined, purpose: string, fn: (db: DB) => Promise<T> | T): Promise<T> {
  const w = openWriter(dataFlag, purpose);
  try {
    return await fn(w.db);
  } finally {
    w.release();
  }
}

/** The platform endpoint: --endpoint, else the institution's platformEndpoint; neither is an error naming the flag. */
export function platformEndpoint(db: DB, flag: string | undefined): string {
  const endpoint = flag ?? requireInstitution(db).platformEndpoint;
  if (!endpoint) throw new InputError('ENDPOINT_REQUIRED', 'give --endpoint URL (or set institution.platformEndpoint)', '请指定医保平台地址 --endpoint');
  return endpoint;
}

export interface PlatformAccess {
  endpoint: string;
  up: Uploader;
  /** The client, session and configuration for one-off platform queries (catalogue, identification). */
  deps: IdentifyDeps;
}

/** Runs `fn` with an Uploader for the endpoint (flag or configured), logging to stderr; the uploader is closed afterwards. */
export async function withPlatform<T>(
  db: DB,
  o: { endpoint: string | undefined; stderr: (s: string) => void } & Pick<UploaderOptions, 'timeoutMs' | 'concurrency'>,
  fn: (p: PlatformAccess) => Promise<T>,
): Promise<T> {
  const endpoint = platformEndpoint(db, o.endpoint);
  const up = new Uploader(db, { endpoint, timeoutMs: o.timeoutMs, concurrency: o.concurrency, log: (l) => o.stderr(l + '\n') });
  try {
    return await fn({ endpoint, up, deps: { db, client: up.client, session: up.session, config: loadPlatformConfig(), now: () => new Date() } });
  } finally {
    up.close();
  }
}
