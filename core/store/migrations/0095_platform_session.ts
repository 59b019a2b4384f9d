// The platform session: each operator's 9001 sign-in of the day (its sign_no goes on every later
// message; 9002 closes it), this counter's terminal number (dev_no, and the digit that keeps its
// msgids apart from the other counters of the institution), and the platform's own id for each
// reply (inf_refmsgid), so a reply replayed for another message is recognised; and each repair a
// 3202 明细对账 led to (an immutable record: a settlement the platform lost is re-sent, one it kept
// although we hold it as undone is 冲正'd).
import type { Migration } from './index.ts';

export const platformSessionMigration: Migration = {
  version: 95,
  name: 'platform sign-in, terminal number, reply ids',
  up(db) {
    db.exec(`CREATE TABLE platform_sign_in (
      operator_id TEXT NOT NULL,
      sign_date TEXT NOT NULL,
      fixmedins_code TEXT NOT NULL,
      sign_no TEXT NOT NULL,
      sign_time TEXT NOT NULL,
      msgid TEXT NOT NULL UNIQUE,
      signed_in_at TEXT NOT NULL,
      invalid_at TEXT,
      signed_out_at TEXT,
      PRIMARY KEY (operator_id, fixmedins_code, sign_date, sign_no)
    ) STRICT`);
    db.exec(`CREATE TABLE terminal (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      terminal_no INTEGER NOT NULL CHECK (terminal_no BETWEEN 0 AND 9),
      dev_no TEXT NOT NULL CHECK (length(dev_no) BETWEEN 1 AND 100)
    ) STRICT`);
    db.exec(`ALTER TABLE outbox_message ADD COLUMN inf_refmsgid TEXT`);
    db.exec(`CREATE INDEX outbox_message_refmsgid ON outbox_message (inf_refmsgid) WHERE inf_refmsgid IS NOT NULL`);
    db.exec(`CREATE TABLE day_close_repair (
      id TEXT PRIMARY KEY,
      settle_date TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('resend', 'reverse', 'report')),
      setl_id TEXT NOT NULL,
      msgid TEXT,
      settlement_id TEXT,
      stmt_rslt TEXT NOT NULL,
      detail TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT`);
    db.exec(`CREATE INDEX day_close_repair_setl ON day_close_repair (setl_id, kind)`);
    db.exec(`CREATE TRIGGER day_close_repair_no_update BEFORE UPDATE ON day_close_repair BEGIN SELECT RAISE(ABORT, 'a repair record is never edited (对账修复记录不可修改)'); END`);
    db.exec(`CREATE TRIGGER day_close_repair_no_delete BEFORE DELETE ON day_close_repair BEGIN SELECT RAISE(ABORT, 'a repair record is never deleted (对账修复记录不可删除)'); END`);
  },
};
