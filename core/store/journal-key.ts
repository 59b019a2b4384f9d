// The journal's MAC key: 32 random bytes kept apart from the database, so a copy of (or write
// access to) counter.sqlite alone cannot re-seal an edited record. The key is created on the
// first start; the file implementation keeps it in `journal.key` beside the database, mode 0600.
// A shell with an OS keystore (Electron's safeStorage) can supply its own JournalKeyStore that
// keeps the key encrypted by the OS: openDatabase takes any implementation of the interface.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

export const JOURNAL_KEY_FILE = 'journal.key';

export interface JournalKeyStore {
  /** Where the key lives, for messages (a path or the keystore's name). */
  readonly where: string;
  /** The key, or null when none was ever created. */
  load(): Buffer | null;
  /** Creates, stores and returns a new key (only called when load() gave null). */
  create(): Buffer;
}

/** The key as a 0600 file in the data directory, under its own name (never inside the database). */
export function fileKeyStore(dataDir: string): JournalKeyStore {
  const file = join(dataDir, JOURNAL_KEY_FILE);
  return {
    where: file,
    load() {
      if (!existsSync(file)) return null;
      const text = readFileSync(file, 'utf8').trim();
      if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} is not a journal key (64 hex digits); restore it from the backup of this data directory`);
      if (process.platform !== 'win32') chmodSync(file, 0o600);
      return Buffer.from(text, 'hex');
    },
    create() {
      const key = randomBytes(32);
      // 'wx': never overwrite a key that appeared meanwhile (a second process starting at once).
      writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      if (process.platform !== 'win32') chmodSync(file, 0o600);
      return key;
    },
  };
}

const keys = new WeakMap<Database.Database, Buffer>();

/** Binds the key to an open database handle (openDatabase does this before migrating). */
export function bindJournalKey(db: Database.Database, key: Buffer): void {
  keys.set(db, key);
}

export function hasJournalKey(db: Database.Database): boolean {
  return keys.has(db);
}

/** HMAC-SHA256 under the database's journal key; throws when the handle has no key. */
export function journalMac(db: Database.Database, text: string): string {
  const key = keys.get(db);
  if (!key) throw new Error('this database handle has no journal key (opened read-only without journal.key?)');
  return createHmac('sha256', key).update(text).digest('hex');
}
