// This institution's own pool usage per patient: one entry per settlement (a reversal is a
// negative entry). Amounts are integer fen, so SQL sums them exactly.
import type { Migration } from './index.ts';

export const ledgerMigration: Migration = {
  version: 13,
  name: 'ledger_entries',
  up(db) {
    db.exec(`CREATE TABLE ledger_entries (
      id INTEGER PRIMARY KEY,
      psn_no TEXT NOT NULL,
      pool TEXT NOT NULL,
      service_date TEXT NOT NULL,
      amount_fen INTEGER NOT NULL,
      settlement_id TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      UNIQUE (settlement_id, pool)
    ) STRICT`);
    db.exec('CREATE INDEX ledger_by_patient ON ledger_entries (psn_no, pool, service_date)');
  },
};
