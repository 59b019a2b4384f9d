// The upload outbox: one row per settlement record and one row per platform message (each with
// its own msgid, UNIQUE). Rows change state but are never deleted, so nothing waiting to reach
// the platform can disappear. msgid_clock is the persistent per-second sequence behind msgids.
import type { Migration } from './index.ts';

export const outboxMigration: Migration = {
  version: 31,
  name: 'settlement_outbox',
  up(db) {
    db.exec(`CREATE TABLE outbox (
      id TEXT PRIMARY KEY,
      settlement_id TEXT NOT NULL UNIQUE REFERENCES settlement(id),
      kind TEXT NOT NULL CHECK (kind IN ('sale', 'reversal', 'return')),
      status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'acked', 'rejected', 'ambiguous', 'dead', 'cancelled')),
      depends_on TEXT REFERENCES outbox(id),
      settle_date TEXT NOT NULL,
      steps_json TEXT NOT NULL,
      step INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      failures INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      maybe_delivered INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      reject_code TEXT,
      reject_reason TEXT,
      mdtrt_id TEXT,
      setl_id TEXT,
      chain_setl_id TEXT,
      chain_mdtrt_id TEXT,
      schema_version INTEGER NOT NULL,
      app_version TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      acked_at TEXT
    ) STRICT`);
    db.exec('CREATE INDEX outbox_ready ON outbox (status, next_attempt_at)');
    db.exec('CREATE INDEX outbox_by_date ON outbox (settle_date, status)');
    db.exec(`CREATE TABLE outbox_message (
      msgid TEXT PRIMARY KEY,
      outbox_id TEXT NOT NULL REFERENCES outbox(id),
      step INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      infno TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('planned', 'sending', 'acked', 'refused', 'ambiguous', 'reversed', 'skipped')),
      request_json TEXT,
      reply_json TEXT,
      error TEXT,
      sent_at TEXT,
      replied_at TEXT,
      UNIQUE (outbox_id, step, attempt),
      CHECK (length(msgid) = 30)
    ) STRICT`);
    db.exec(`CREATE TABLE msgid_clock (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      second TEXT NOT NULL,
      seq INTEGER NOT NULL CHECK (seq BETWEEN 0 AND 9999)
    ) STRICT`);
    for (const table of ['outbox', 'outbox_message']) {
      db.exec(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
        BEGIN SELECT RAISE(ABORT, 'outbox rows are never deleted (上传队列记录不可删除)'); END`);
    }
    // A message's identity and payload are fixed once it has been sent.
    db.exec(`CREATE TRIGGER outbox_message_fixed BEFORE UPDATE OF msgid, outbox_id, step, attempt, infno ON outbox_message
      BEGIN SELECT RAISE(ABORT, 'a platform message keeps its msgid and transaction code'); END`);
  },
};
