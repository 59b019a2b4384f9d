// Supervision at the counter: every dispensed two-disease drug line with its days of supply
// (this counter's sales and history imported from elsewhere), and every operator override of a
// supervision block with its written reason. Overrides are audit records: never changed except
// to link the settlement they were used in, never deleted.
import type { Migration } from './index.ts';

export const supervisionMigration: Migration = {
  version: 50,
  name: 'supervision',
  up(db) {
    db.exec(`CREATE TABLE dispensing (
      id INTEGER PRIMARY KEY,
      psn_no TEXT NOT NULL,
      dispensed_on TEXT NOT NULL,
      code TEXT,
      generic_name TEXT NOT NULL,
      drug_group TEXT,
      days INTEGER NOT NULL CHECK (days > 0),
      source TEXT NOT NULL CHECK (source IN ('counter', 'import')),
      institution TEXT,
      settlement_id TEXT,
      line_ref TEXT,
      import_key TEXT UNIQUE,
      recorded_at TEXT NOT NULL,
      UNIQUE (settlement_id, line_ref),
      CHECK ((source = 'counter') = (settlement_id IS NOT NULL))
    ) STRICT`);
    db.exec('CREATE INDEX dispensing_by_patient ON dispensing (psn_no, dispensed_on)');
    db.exec(`CREATE TABLE supervision_override (
      id TEXT PRIMARY KEY,
      psn_no TEXT NOT NULL,
      service_date TEXT NOT NULL,
      line_code TEXT NOT NULL,
      generic_name TEXT NOT NULL,
      rule TEXT NOT NULL CHECK (rule IN ('MAX_SUPPLY', 'EARLY_REFILL')),
      finding_json TEXT NOT NULL,
      reason TEXT NOT NULL CHECK (length(trim(reason)) >= 4),
      operator_id TEXT NOT NULL,
      operator_name TEXT NOT NULL,
      operator_role TEXT NOT NULL CHECK (operator_role IN ('pharmacist', 'admin')),
      settlement_id TEXT,
      created_at TEXT NOT NULL
    ) STRICT`);
    db.exec('CREATE INDEX supervision_override_by_date ON supervision_override (service_date)');
    db.exec('CREATE INDEX supervision_override_by_patient ON supervision_override (psn_no, service_date)');
    db.exec(`CREATE TRIGGER supervision_override_fixed BEFORE UPDATE ON supervision_override
      WHEN OLD.settlement_id IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.psn_no IS NOT OLD.psn_no OR NEW.service_date IS NOT OLD.service_date
        OR NEW.line_code IS NOT OLD.line_code OR NEW.rule IS NOT OLD.rule OR NEW.reason IS NOT OLD.reason OR NEW.finding_json IS NOT OLD.finding_json
        OR NEW.operator_id IS NOT OLD.operator_id OR NEW.operator_name IS NOT OLD.operator_name OR NEW.operator_role IS NOT OLD.operator_role
        OR NEW.generic_name IS NOT OLD.generic_name OR NEW.created_at IS NOT OLD.created_at
      BEGIN SELECT RAISE(ABORT, 'a supervision override is an audit record: only its settlement may be linked, once (监管放行记录不可修改)'); END`);
    db.exec(`CREATE TRIGGER supervision_override_no_delete BEFORE DELETE ON supervision_override
      BEGIN SELECT RAISE(ABORT, 'supervision overrides are never deleted (监管放行记录不可删除)'); END`);
  },
};
