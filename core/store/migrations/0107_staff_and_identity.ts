// Each operator's national codes (医保医师/药师编码 and the 3401 department), sent as 2201
// atddr_no / 2204 bilg_dr_codg instead of the local operator id; and each difference the
// platform's 1101/5301 answer showed against the local roster (an append-only record of what the
// operator was told).
import type { Migration } from './index.ts';

export const staffAndIdentityMigration: Migration = {
  version: 107,
  name: 'staff national codes, online identification differences',
  up(db) {
    db.exec(`CREATE TABLE staff_code (
      operator_id TEXT PRIMARY KEY CHECK (length(operator_id) BETWEEN 1 AND 30),
      dr_code TEXT NOT NULL CHECK (length(dr_code) BETWEEN 1 AND 30),
      dr_name TEXT CHECK (dr_name IS NULL OR length(dr_name) <= 50),
      dept_code TEXT NOT NULL CHECK (length(dept_code) BETWEEN 1 AND 30),
      dept_name TEXT NOT NULL CHECK (length(dept_name) BETWEEN 1 AND 100),
      caty TEXT CHECK (caty IS NULL OR length(caty) <= 6),
      updated_at TEXT NOT NULL
    ) STRICT`);
    db.exec(`CREATE TABLE identity_difference (
      id INTEGER PRIMARY KEY,
      checked_at TEXT NOT NULL,
      psn_no TEXT NOT NULL,
      roster_key TEXT,
      field TEXT NOT NULL,
      roster_value TEXT,
      platform_value TEXT,
      message_zh TEXT NOT NULL
    ) STRICT`);
    db.exec(`CREATE INDEX identity_difference_psn ON identity_difference (psn_no, checked_at)`);
  },
};
