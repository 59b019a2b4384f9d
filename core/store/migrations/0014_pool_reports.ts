// The bureau's figure for what a patient has already drawn from a pool this year, as of a
// date (pushed with the roster). The ledger adds this institution's entries after that date.
import type { Migration } from './index.ts';

export const poolReportsMigration: Migration = {
  version: 14,
  name: 'pool_reports',
  up(db) {
    db.exec(`CREATE TABLE pool_reports (
      psn_no TEXT NOT NULL,
      pool TEXT NOT NULL,
      amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
      as_of TEXT NOT NULL,
      PRIMARY KEY (psn_no, pool)
    ) STRICT, WITHOUT ROWID`);
  },
};
