// Opening the counter's SQLite database: pragmas, numbered migrations in user_version,
// and the refusal to open a database written by a newer version of the product.
// Nothing outside core/store opens or queries the database.
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index.ts';
import { InputError } from '../contract/problems.ts';
import { bindJournalKey, fileKeyStore, type JournalKeyStore } from './journal-key.ts';

export type DB = Database.Database;
export const DB_FILE_NAME = 'counter.sqlite';

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/** Runs every pending migration in one transaction; refuses a database from the future. */
export function migrate(db: DB, migrations: readonly Migration[] = MIGRATIONS, target = latestVersion(migrations)): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (i > 0 && m.version <= sorted[i - 1]!.version) throw new Error(`migration versions must increase: ${m.version} after ${sorted[i - 1]!.version}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new InputError(
      'DB_FROM_FUTURE',
      `The database is at schema version ${current}, newer than this program understands (${latest}); install the newer counter version or open another data directory`,
      `数据库版本（${current}）高于本程序支持的版本（${latest}），请升级两病柜台或更换数据目录`,
    );
  }
  const pending = sorted.filter((m) => m.version > current && m.version <= target);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const m of pending) m.up(db);
    db.pragma(`user_version = ${Number(pending[pending.length - 1]!.version)}`);
  })();
  return pending[pending.length - 1]!.version;
}

export interface OpenOptions {
  /** Open read-only (reports, lookups from a second process). */
  readonly?: boolean;
  /** Stop at this schema version (migration tests). */
  targetVersion?: number;
  /** Where the journal's MAC key lives (default: journal.key beside the database, mode 0600). */
  keyStore?: JournalKeyStore;
}

/** Opens (creating if needed) the database file in a data directory. */
export function openDatabase(dataDir: string, options: OpenOptions = {}): DB {
  // Owner-only: the database holds full ID numbers and names.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return openDatabaseFile(join(dataDir, DB_FILE_NAME), options);
}

export function openDatabaseFile(file: string, options: OpenOptions = {}): DB {
  const db = new Database(file, { readonly: options.readonly ?? false });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // Money is written here: a committed settlement must survive a power cut.
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // The journal key is bound before migrating: migration 98 seals the journal with it.
  const keyStore = options.keyStore ?? fileKeyStore(dirname(file));
  const key = keyStore.load() ?? (options.readonly ? null : createKeyIfUnsealed(db, keyStore));
  if (key) bindJournalKey(db, key);
  if (!options.readonly) {
    migrate(db, MIGRATIONS, options.targetVersion);
    // The database and its WAL/SHM files are owner-only (patients' ID numbers and names).
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  }
  return db;
}

/**
 * A new key only for a journal nobody sealed yet: once records carry MACs, a lost key must be
 * restored from the backup, never silently replaced (that would make the journal unprovable).
 */
function createKeyIfUnsealed(db: DB, store: JournalKeyStore): Buffer {
  const sealed = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal_anchor'`).get() !== undefined;
  if (sealed) {
    db.close();
    throw new InputError(
      'JOURNAL_KEY_MISSING',
      `The journal of this database is sealed but its key is missing (${store.where}); restore the key from the backup of this data directory`,
      '结算日志的校验密钥文件丢失，请从本数据目录的备份中恢复后再启动',
    );
  }
  return store.create();
}
