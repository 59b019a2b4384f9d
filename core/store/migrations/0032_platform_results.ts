// What the platform answered: its split for each settlement (setlinfo, setldetail, per-line
// detlcutinfo), kept next to our own, and a variance row for every amount that differs.
import type { Migration } from './index.ts';

export const platformResultsMigration: Migration = {
  version: 32,
  name: 'platform_results',
  up(db) {
    db.exec(`CREATE TABLE platform_settlement (
      msgid TEXT PRIMARY KEY,
      settlement_id TEXT NOT NULL REFERENCES settlement(id),
      role TEXT NOT NULL CHECK (role IN ('settle', 'reverse')),
      infno TEXT NOT NULL,
      setl_id TEXT NOT NULL,
      mdtrt_id TEXT,
      medfee_sumamt TEXT NOT NULL,
      fund_pay_sumamt TEXT NOT NULL,
      psn_part_amt TEXT NOT NULL,
      acct_pay TEXT NOT NULL,
      inscp_scp_amt TEXT NOT NULL,
      setlinfo_json TEXT NOT NULL,
      setldetail_json TEXT NOT NULL,
      detlcutinfo_json TEXT NOT NULL,
      received_at TEXT NOT NULL
    ) STRICT`);
    db.exec('CREATE INDEX platform_settlement_by_settlement ON platform_settlement (settlement_id)');
    db.exec(`CREATE TABLE variance (
      id TEXT PRIMARY KEY,
      settlement_id TEXT NOT NULL REFERENCES settlement(id),
      scope TEXT NOT NULL CHECK (scope IN ('settlement', 'line')),
      line_ref TEXT NOT NULL DEFAULT '',
      field TEXT NOT NULL,
      local_value TEXT NOT NULL,
      platform_value TEXT NOT NULL,
      difference TEXT NOT NULL,
      settle_date TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (settlement_id, scope, line_ref, field)
    ) STRICT`);
    db.exec('CREATE INDEX variance_by_date ON variance (settle_date)');
  },
};
