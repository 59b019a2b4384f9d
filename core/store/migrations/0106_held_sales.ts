// 挂单: sales in progress put aside (patient and lines) to be recalled later, several at once,
// kept in the database so they survive a restart. Recalling deletes the row (in one statement,
// so two counters cannot both recall it); the requestId travels with it, so settling a recalled
// sale twice settles it once.
import type { Migration } from './index.ts';

export const heldSalesMigration: Migration = {
  version: 106,
  name: 'held_sales',
  up(db) {
    db.exec(`CREATE TABLE held_sale (
      id TEXT PRIMARY KEY,
      request_id TEXT NOT NULL UNIQUE,
      operator_id TEXT NOT NULL,
      label TEXT NOT NULL,
      sale_json TEXT NOT NULL,
      held_at TEXT NOT NULL
    ) STRICT`);
  },
};
