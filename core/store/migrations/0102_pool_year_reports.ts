// The bureau's figure per calendar year. pool_reports keeps the latest push (what the roster
// shows); a push for one year must not erase another year's figure, which a back-dated sale in
// that year still has to count (seed 002 §五.(三) 补录). Triggers keep this table in step with
// every write to pool_reports, so the roster importer needs no change.
import type { Migration } from './index.ts';

export const poolYearReportsMigration: Migration = {
  version: 102,
  name: 'pool_year_reports',
  up(db) {
    db.exec(`CREATE TABLE pool_year_reports (
      psn_no TEXT NOT NULL,
      pool TEXT NOT NULL,
      year TEXT NOT NULL CHECK (length(year) = 4),
      amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
      as_of TEXT NOT NULL,
      PRIMARY KEY (psn_no, pool, year)
    ) STRICT, WITHOUT ROWID`);
    const put = (row: string) => `INSERT INTO pool_year_reports (psn_no, pool, year, amount_fen, as_of)
        VALUES (${row}.psn_no, ${row}.pool, substr(${row}.as_of, 1, 4), ${row}.amount_fen, ${row}.as_of)
        ON CONFLICT (psn_no, pool, year) DO UPDATE SET amount_fen = excluded.amount_fen, as_of = excluded.as_of`;
    db.exec(`INSERT INTO pool_year_reports (psn_no, pool, year, amount_fen, as_of) SELECT psn_no, pool, substr(as_of, 1, 4), amount_fen, as_of FROM pool_reports`);
    db.exec(`CREATE TRIGGER pool_reports_year_insert AFTER INSERT ON pool_reports BEGIN ${put('new')}; END`);
    db.exec(`CREATE TRIGGER pool_reports_year_update AFTER UPDATE ON pool_reports BEGIN ${put('new')}; END`);
    // "The bureau reports nothing any more" withdraws the figure of the year it was for.
    db.exec(`CREATE TRIGGER pool_reports_year_delete AFTER DELETE ON pool_reports BEGIN
      DELETE FROM pool_year_reports WHERE psn_no = old.psn_no AND pool = old.pool AND year = substr(old.as_of, 1, 4); END`);
  },
};
