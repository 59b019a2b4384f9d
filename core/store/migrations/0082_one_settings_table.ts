// One settings table: the counter's own preferences (migration 70's counter_settings, the printer
// names and layouts) move into settings (migration 15) under a `counter.` prefix, and
// counter_settings goes. From here every setting is read and written by core/store/settings.ts.
import type { Migration } from './index.ts';

export const oneSettingsTableMigration: Migration = {
  version: 82,
  name: 'one settings table (counter_settings folded into settings)',
  up(db) {
    db.exec(`
      INSERT INTO settings (key, value, updated_at)
        SELECT 'counter.' || key, value, updated_at FROM counter_settings WHERE true
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
      DROP TABLE counter_settings;
    `);
  },
};
