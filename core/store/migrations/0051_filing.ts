// Filing at the counter (备案, 变更备案, 停止): each filing is an immutable record, and each
// platform message it needs (register/revoke per disease) a row in its own upload queue with the
// outbox's state names (pending → sending → acked | rejected | ambiguous → dead). The settlement
// outbox (migration 31) is keyed to settlements, so filings keep their queue here.
import type { Migration } from './index.ts';

export const filingMigration: Migration = {
  version: 51,
  name: 'filing',
  up(db) {
    db.exec(`CREATE TABLE filing (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('new', 'change', 'stop')),
      psn_no TEXT NOT NULL,
      filed_on TEXT NOT NULL,
      reason TEXT,
      conditions_before TEXT NOT NULL,
      conditions_after TEXT NOT NULL,
      management_class INTEGER,
      doctor_code TEXT,
      doctor_name TEXT NOT NULL,
      institution_code TEXT NOT NULL,
      operator_id TEXT NOT NULL,
      operator_name TEXT NOT NULL,
      request_json TEXT NOT NULL,
      patient_before_json TEXT,
      patient_after_json TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT`);
    db.exec('CREATE INDEX filing_by_date ON filing (filed_on)');
    db.exec('CREATE INDEX filing_by_patient ON filing (psn_no, filed_on)');
    db.exec(`CREATE TABLE filing_upload (
      id TEXT PRIMARY KEY,
      filing_id TEXT NOT NULL REFERENCES filing(id),
      seq INTEGER NOT NULL,
      action TEXT NOT NULL CHECK (action IN ('register', 'revoke')),
      infno TEXT NOT NULL,
      disease TEXT NOT NULL CHECK (disease IN ('hypertension', 'diabetes')),
      psn_no TEXT NOT NULL,
      payload_json TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'acked', 'rejected', 'ambiguous', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      msgid TEXT,
      detl_sn TEXT,
      last_error TEXT,
      reply_json TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      acked_at TEXT,
      UNIQUE (filing_id, seq)
    ) STRICT`);
    db.exec('CREATE INDEX filing_upload_ready ON filing_upload (status, next_attempt_at)');
    db.exec('CREATE INDEX filing_upload_by_patient ON filing_upload (psn_no, disease, action, status)');
    db.exec(`CREATE TRIGGER filing_no_update BEFORE UPDATE ON filing BEGIN SELECT RAISE(ABORT, 'filing records are immutable: record a change filing (备案记录不可修改)'); END`);
    for (const t of ['filing', 'filing_upload']) {
      db.exec(`CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, 'filing records are never deleted (备案记录不可删除)'); END`);
    }
  },
};
