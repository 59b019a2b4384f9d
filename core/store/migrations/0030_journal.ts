// The settlement journal: one row per settlement record (a sale, a full reversal or a partial
// return), its lines, and the hash chain. Rows are immutable: a correction is a new reversing
// record, never an UPDATE, and triggers refuse UPDATE and DELETE so no code path can forget it.
import type { Migration } from './index.ts';

export const journalMigration: Migration = {
  version: 30,
  name: 'settlement_journal',
  up(db) {
    db.exec(`CREATE TABLE settlement (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      request_id TEXT UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('sale', 'reversal', 'return')),
      original_id TEXT REFERENCES settlement(id),
      receipt_no TEXT NOT NULL UNIQUE,
      settle_date TEXT NOT NULL,
      settled_at TEXT NOT NULL,
      institution_code TEXT NOT NULL,
      institution_name TEXT NOT NULL,
      institution_type TEXT NOT NULL CHECK (institution_type IN ('clinic', 'pharmacy')),
      institution_level INTEGER NOT NULL,
      psn_no TEXT NOT NULL,
      patient_json TEXT NOT NULL,
      operator_id TEXT NOT NULL,
      operator_name TEXT NOT NULL,
      policy_id TEXT NOT NULL,
      policy_version TEXT NOT NULL,
      total TEXT NOT NULL,
      in_scope TEXT NOT NULL,
      fund TEXT NOT NULL,
      patient_pay TEXT NOT NULL,
      request_json TEXT NOT NULL,
      result_json TEXT NOT NULL,
      reason TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE,
      CHECK ((kind = 'sale') = (original_id IS NULL))
    ) STRICT`);
    db.exec('CREATE INDEX settlement_by_date ON settlement (settle_date)');
    db.exec('CREATE INDEX settlement_by_patient ON settlement (psn_no, settle_date)');
    db.exec('CREATE INDEX settlement_by_original ON settlement (original_id)');
    db.exec(`CREATE TABLE settlement_line (
      id TEXT PRIMARY KEY,
      settlement_id TEXT NOT NULL REFERENCES settlement(id),
      line_no INTEGER NOT NULL,
      feedetl_sn TEXT NOT NULL UNIQUE,
      quote_line_id TEXT NOT NULL,
      catalog_code TEXT NOT NULL,
      own_code TEXT,
      name TEXT NOT NULL,
      quantity TEXT NOT NULL,
      price TEXT NOT NULL,
      total TEXT NOT NULL,
      in_scope TEXT NOT NULL,
      fund TEXT NOT NULL,
      patient_pay TEXT NOT NULL,
      rate TEXT NOT NULL,
      covered INTEGER NOT NULL,
      facts_json TEXT NOT NULL,
      reverses_line_id TEXT UNIQUE REFERENCES settlement_line(id),
      UNIQUE (settlement_id, line_no)
    ) STRICT`);
    for (const table of ['settlement', 'settlement_line']) {
      db.exec(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
        BEGIN SELECT RAISE(ABORT, 'settlement records are immutable: record a reversal instead (结算记录不可修改)'); END`);
      db.exec(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
        BEGIN SELECT RAISE(ABORT, 'settlement records are never deleted (结算记录不可删除)'); END`);
    }
  },
};
