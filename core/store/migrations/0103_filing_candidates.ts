// Patients buying two-disease drugs who are not on the roster, where this institution may not
// file them (seed 000 §二.(一).1: the health commission verifies and pushes them): the list it
// exports for verification. One row per person (ID number); a later sighting updates last_seen.
import type { Migration } from './index.ts';

export const filingCandidatesMigration: Migration = {
  version: 103,
  name: 'filing_candidates',
  up(db) {
    db.exec(`CREATE TABLE filing_candidates (
      certno TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      conditions TEXT NOT NULL CHECK (conditions IN ('hypertension', 'diabetes', 'both')),
      drugs TEXT,
      first_seen TEXT NOT NULL,
      last_seen TEXT NOT NULL,
      operator_id TEXT NOT NULL
    ) STRICT, WITHOUT ROWID`);
  },
};
