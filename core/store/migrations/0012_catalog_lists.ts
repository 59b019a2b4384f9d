// Which region's (or county's) two-disease list an item is on. Seed 000 §二.(三).5 asks each
// county to keep its own list; where a county has any list row, its list decides for
// institutions in that county, otherwise the prefecture's list does.
import type { Migration } from './index.ts';

export const catalogListsMigration: Migration = {
  version: 12,
  name: 'catalog_lists',
  up(db) {
    db.exec(`CREATE TABLE catalog_lists (
      code TEXT NOT NULL REFERENCES catalog (code) ON DELETE CASCADE ON UPDATE CASCADE,
      region TEXT NOT NULL CHECK (length(region) = 6),
      payment_standard TEXT,
      PRIMARY KEY (region, code)
    ) STRICT, WITHOUT ROWID`);
    db.exec('CREATE INDEX catalog_lists_code ON catalog_lists (code)');
  },
};
