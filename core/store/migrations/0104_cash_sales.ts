// Sales outside the two-disease settlement: self-pay (自费) for what the scheme does not cover,
// and out-of-area patients (异地) who pay here and claim at their insuring bureau with the
// printed 垫付 receipt. Nothing of them goes to the platform; each is written once, never edited.
import type { Migration } from './index.ts';

export const cashSalesMigration: Migration = {
  version: 104,
  name: 'cash_sales',
  up(db) {
    db.exec(`CREATE TABLE cash_sales (
      id TEXT PRIMARY KEY,
      request_id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('self-pay', 'out-of-area')),
      receipt_no TEXT NOT NULL UNIQUE,
      sale_date TEXT NOT NULL,
      created_at TEXT NOT NULL,
      operator_id TEXT NOT NULL,
      operator_name TEXT NOT NULL,
      psn_no TEXT,
      patient_json TEXT NOT NULL,
      lines_json TEXT NOT NULL,
      total_fen INTEGER NOT NULL CHECK (total_fen >= 0),
      reason TEXT
    ) STRICT`);
    db.exec('CREATE INDEX cash_sales_by_date ON cash_sales (sale_date)');
    db.exec(`CREATE TRIGGER cash_sales_no_update BEFORE UPDATE ON cash_sales BEGIN SELECT RAISE(ABORT, 'a cash sale is never edited (自费记录不可修改)'); END`);
    db.exec(`CREATE TRIGGER cash_sales_no_delete BEFORE DELETE ON cash_sales BEGIN SELECT RAISE(ABORT, 'a cash sale is never deleted (自费记录不可删除)'); END`);
  },
};
