// The roster's lookup indexes carry the choice of the record a lookup returns. An ID number,
// card or e-voucher token can be on file more than once (history records, re-numbering); the
// lookup wants the active record first, then the most recently updated. With (key, status =
// 'active', updated_at) in the index, SQLite walks it backwards and stops at the first entry:
// one O(log n) seek however many records share the key, instead of reading and sorting them all.
import type { Migration } from './index.ts';

/** The lookup indexes as they stand from version 81 (the roster writer drops and rebuilds them around a first load). */
export const PATIENT_LOOKUP_INDEXES = [
  `CREATE INDEX patients_certno ON patients (certno, status = 'active', updated_at) WHERE certno IS NOT NULL`,
  `CREATE INDEX patients_card_no ON patients (card_no, status = 'active', updated_at) WHERE card_no IS NOT NULL`,
  `CREATE INDEX patients_ec_token ON patients (ec_token, status = 'active', updated_at) WHERE ec_token IS NOT NULL`,
] as const;

export const patientLookupIndexesMigration: Migration = {
  version: 81,
  name: 'patient lookup indexes ordered by active, then most recent',
  up(db) {
    for (const sql of PATIENT_LOOKUP_INDEXES) {
      db.exec(`DROP INDEX IF EXISTS ${sql.split(' ')[2]}`);
      db.exec(sql);
    }
  },
};
