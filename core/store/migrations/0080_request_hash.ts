// An idempotency key is bound to its content: the hash of the canonical request is kept beside
// the requestId, so a retry with the same key and a different body is refused, not answered.
import type { Migration } from './index.ts';

export const requestHashMigration: Migration = {
  version: 80,
  name: 'settlement_operators.request_hash',
  up(db) {
    db.exec(`ALTER TABLE settlement_operators ADD COLUMN request_hash TEXT`);
  },
};
