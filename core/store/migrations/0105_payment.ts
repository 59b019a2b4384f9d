// How each settlement record was paid (a sale) or refunded (a return): 应收, 实收, 找零 and the
// amount per method. Its own table, beside the journal (the journal's rows and their hash are
// untouched); written in the settlement's own transaction and, like the journal, never changed.
import type { Migration } from './index.ts';

export const paymentMigration: Migration = {
  version: 105,
  name: 'settlement_payment',
  up(db) {
    db.exec(`CREATE TABLE settlement_payment (
      settlement_id TEXT PRIMARY KEY REFERENCES settlement(id),
      due TEXT NOT NULL,
      received TEXT NOT NULL,
      change_given TEXT NOT NULL,
      methods_json TEXT NOT NULL,
      operator_id TEXT NOT NULL,
      recorded_at TEXT NOT NULL
    ) STRICT`);
    db.exec(`CREATE TRIGGER settlement_payment_no_update BEFORE UPDATE ON settlement_payment
      BEGIN SELECT RAISE(ABORT, 'payments are immutable: record a refund instead (收款记录不可修改)'); END`);
    db.exec(`CREATE TRIGGER settlement_payment_no_delete BEFORE DELETE ON settlement_payment
      BEGIN SELECT RAISE(ABORT, 'payments are never deleted (收款记录不可删除)'); END`);
  },
};
