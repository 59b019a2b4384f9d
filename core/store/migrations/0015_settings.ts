// Site settings (institution code, name, type, level, policy, region, platform endpoint) as
// key/value rows, validated by core/contract/institution.ts when read and written.
import type { Migration } from './index.ts';

export const settingsMigration: Migration = {
  version: 15,
  name: 'settings',
  up(db) {
    db.exec(`CREATE TABLE settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT`);
  },
};
