// Two optional catalog facts the counter needs: the usual daily dose (so the supply check can
// count days when the prescription's days are not typed) and whether the item may be sold in
// part packages (拆零; otherwise only whole packages are sold). Existing rows: unknown dose, whole packages.
import type { Migration } from './index.ts';

export const catalogDoseSplitMigration: Migration = {
  version: 97,
  name: 'catalog usual daily dose and split packs',
  up(db) {
    db.exec('ALTER TABLE catalog ADD COLUMN usual_daily_dose TEXT');
    db.exec('ALTER TABLE catalog ADD COLUMN split_pack INTEGER NOT NULL DEFAULT 0 CHECK (split_pack IN (0, 1))');
  },
};
