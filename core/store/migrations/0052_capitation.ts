// Capitation statements (seed 001 §三.(二)): one per institution and month, with the heads it
// paid for. Written once: running the month again returns the stored statement, never a second.
import type { Migration } from './index.ts';

export const capitationMigration: Migration = {
  version: 52,
  name: 'capitation',
  up(db) {
    db.exec(`CREATE TABLE capitation_statement (
      id TEXT PRIMARY KEY,
      institution_code TEXT NOT NULL,
      month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
      policy TEXT NOT NULL,
      rates_json TEXT NOT NULL,
      heads INTEGER NOT NULL,
      hypertension_heads INTEGER NOT NULL,
      diabetes_heads INTEGER NOT NULL,
      hypertension_amount TEXT NOT NULL,
      diabetes_amount TEXT NOT NULL,
      amount TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (institution_code, month)
    ) STRICT`);
    db.exec(`CREATE TABLE capitation_line (
      statement_id TEXT NOT NULL REFERENCES capitation_statement(id),
      psn_no TEXT NOT NULL,
      name TEXT NOT NULL,
      conditions TEXT NOT NULL CHECK (conditions IN ('hypertension', 'diabetes', 'both')),
      hypertension TEXT NOT NULL,
      diabetes TEXT NOT NULL,
      amount TEXT NOT NULL,
      PRIMARY KEY (statement_id, psn_no)
    ) STRICT`);
    for (const t of ['capitation_statement', 'capitation_line']) {
      db.exec(`CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t} BEGIN SELECT RAISE(ABORT, 'capitation statements are final (按人头付费结算单不可修改)'); END`);
      db.exec(`CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, 'capitation statements are never deleted (按人头付费结算单不可删除)'); END`);
    }
  },
};
