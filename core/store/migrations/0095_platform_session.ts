// The platform session: each operator's 9001 sign-in of the day (its sign_no goes on every later
// message; 9002 closes it), this counter's terminal number (dev_no, and the digit that keeps its
// msgids apart from the other counters of the institution), and the platform's own id for each
// reply (inf_refmsgid), so a reply replayed for another message is recognised.
import type { Migration } from './index.ts';

export const platformSessionMigration: Migration = {
  version: 95,
  name: 'platform sign-in, terminal number, reply ids',
  up(db) {
    db.exec(`CREATE TABLE platform_sign_in (
      operator_id TEXT NOT NULL,
      sign_date TEXT NOT NULL,
      fixmedins_code TEXT NOT NULL,
      sign_no TEXT NOT NULL,
      sign_time TEXT NOT NULL,
      msgid TEXT NOT NULL UNIQUE,
      signed_in_at TEXT NOT NULL,
      invalid_at TEXT,
      signed_out_at TEXT,
      PRIMARY KEY (operator_id, fixmedins_code, sign_date, sign_no)
    ) STRICT`);
    db.exec(`CREATE TABLE terminal (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      terminal_no INTEGER NOT NULL CHECK (terminal_no BETWEEN 0 AND 9),
      dev_no TEXT NOT NULL CHECK (length(dev_no) BETWEEN 1 AND 100)
    ) STRICT`);
    db.exec(`ALTER TABLE outbox_message ADD COLUMN inf_refmsgid TEXT`);
    db.exec(`CREATE INDEX outbox_message_refmsgid ON outbox_message (inf_refmsgid) WHERE inf_refmsgid IS NOT NULL`);
  },
};
