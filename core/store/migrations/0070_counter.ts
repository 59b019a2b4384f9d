// The counter screen's own tables: operators who sign in, who settled each sale (and the
// prescription facts typed at the counter), how many times each document was printed, and
// screen/printer preferences. Settlements themselves stay in the journal (migrations 30–49).
import type { Migration } from './index.ts';

export const counterMigration: Migration = {
  version: 70,
  name: 'counter operators, settlement operators, print log, printer settings',
  up(db) {
    db.exec(`
      CREATE TABLE operators (
        id TEXT NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('pharmacist', 'clerk', 'admin')),
        pin_salt TEXT NOT NULL,
        pin_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL
      ) STRICT;

      -- One row per settlement or reversal made at this counter: who did it (copied, so renaming
      -- an operator later does not rewrite history) and the caller's idempotency key.
      CREATE TABLE settlement_operators (
        settlement_id TEXT NOT NULL PRIMARY KEY,
        request_id TEXT UNIQUE,
        operator_id TEXT NOT NULL REFERENCES operators(id),
        operator_name TEXT NOT NULL,
        operator_role TEXT NOT NULL,
        prescription TEXT,
        created_at TEXT NOT NULL
      ) STRICT;

      -- Every print is a row: the reprint counter is their count, never an updated number.
      CREATE TABLE print_log (
        id INTEGER PRIMARY KEY,
        settlement_id TEXT,
        document TEXT NOT NULL,
        layout TEXT NOT NULL,
        copy INTEGER NOT NULL CHECK (copy >= 1),
        operator_id TEXT NOT NULL,
        printed_at TEXT NOT NULL,
        UNIQUE (settlement_id, document, copy)
      ) STRICT;
      CREATE INDEX print_log_settlement ON print_log (settlement_id, document);

      CREATE TABLE counter_settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;
    `);
  },
};
