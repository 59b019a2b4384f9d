// Numbered schema migrations, applied in order by store/db.ts. Versions go up in steps of 10
// so each area has room (10–29 patients/catalog/ledger, 30–49 journal/outbox, 50–69 filing and
// supervision, 70–89 settings/operators). Each migration has its own test in test/store.
import type Database from 'better-sqlite3';
import { filingMigration } from './0051_filing.ts';
import { capitationMigration } from './0052_capitation.ts';
import { supervisionMigration } from './0050_supervision.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta',
    up(db) {
      db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`);
    },
  },
  supervisionMigration,
  capitationMigration,
  filingMigration,
];
