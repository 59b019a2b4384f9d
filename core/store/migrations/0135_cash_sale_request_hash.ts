// A cash sale's idempotency key is bound to its content, as a settlement's is (migration 80): the
// hash of the canonical request is kept beside the requestId, so a retry with the same key and a
// different body is refused rather than answered with the first sale.
import type { Migration } from './index.ts';

export const cashSaleRequestHashMigration: Migration = {
  version: 135,
  name: 'cash_sales.request_hash',
  up(db) {
    db.exec(`ALTER TABLE cash_sales ADD COLUMN request_hash TEXT`);
  },
};
