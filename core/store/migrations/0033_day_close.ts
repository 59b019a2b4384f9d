// Day close: every 3201 total reconciliation run, balanced or not (a rerun adds a row; the
// latest balanced run is what counts).
import type { Migration } from './index.ts';

export const dayCloseMigration: Migration = {
  version: 33,
  name: 'day_close',
  up(db) {
    db.exec(`CREATE TABLE day_close (
      msgid TEXT PRIMARY KEY,
      settle_date TEXT NOT NULL,
      insutype TEXT NOT NULL,
      clr_type TEXT NOT NULL,
      medfee_sumamt TEXT NOT NULL,
      fund_pay_sumamt TEXT NOT NULL,
      acct_pay TEXT NOT NULL,
      setl_cnt INTEGER NOT NULL,
      stmt_rslt TEXT,
      stmt_rslt_dscr TEXT,
      balanced INTEGER NOT NULL,
      reply_json TEXT,
      closed_at TEXT NOT NULL,
      CHECK (length(msgid) = 30)
    ) STRICT`);
    db.exec('CREATE INDEX day_close_by_date ON day_close (settle_date)');
  },
};
