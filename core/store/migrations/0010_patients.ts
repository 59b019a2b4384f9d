// The two-disease patient roster the bureau pushes (or the counter files): one row per 人员编号.
// Secondary indexes serve the lookups at the counter: ID number, card number, e-voucher token.
import type { Migration } from './index.ts';

export const PATIENT_INDEXES = [
  'CREATE INDEX patients_certno ON patients (certno) WHERE certno IS NOT NULL',
  'CREATE INDEX patients_card_no ON patients (card_no) WHERE card_no IS NOT NULL',
  'CREATE INDEX patients_ec_token ON patients (ec_token) WHERE ec_token IS NOT NULL',
] as const;

export const patientsMigration: Migration = {
  version: 10,
  name: 'patients',
  up(db) {
    // CHECKs are written as OR-chains, not IN (...): SQLite builds an ephemeral table for an
    // IN list on every row, which made a million-row import take twice as long.
    db.exec(`CREATE TABLE patients (
      psn_no TEXT NOT NULL PRIMARY KEY,
      certno TEXT,
      card_no TEXT,
      name TEXT NOT NULL,
      gender TEXT CHECK (gender = '1' OR gender = '2' OR gender = '9'),
      birth_date TEXT,
      insutype TEXT NOT NULL CHECK (insutype = '390' OR insutype = '310'),
      region TEXT,
      conditions TEXT NOT NULL CHECK (conditions = 'hypertension' OR conditions = 'diabetes' OR conditions = 'both'),
      management_class INTEGER CHECK (management_class = 1 OR management_class = 2),
      other_chronic_diseases INTEGER NOT NULL DEFAULT 0 CHECK (other_chronic_diseases BETWEEN 0 AND 20),
      chronic_disease_since TEXT,
      designated_institution TEXT,
      payment_mode TEXT NOT NULL DEFAULT 'fee-for-service' CHECK (payment_mode = 'fee-for-service' OR payment_mode = 'capitation'),
      capitation_institution TEXT,
      capitation_start_month TEXT,
      flagged_date TEXT,
      flagged_by TEXT CHECK (flagged_by = 'bureau' OR flagged_by = 'health-commission' OR flagged_by = 'counter'),
      status TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'stopped'),
      stopped_date TEXT,
      stopped_reason TEXT,
      ec_token TEXT,
      content_hash TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`);
    for (const sql of PATIENT_INDEXES) db.exec(sql);
  },
};
