// Numbered schema migrations, applied in order by store/db.ts. Versions go up in steps of 10
// so each area has room (10–29 patients/catalog/ledger, 30–49 journal/outbox, 50–69 filing and
// supervision, 70–89 settings/operators, 90– platform session). Each migration has its own test in test/store.
import type Database from 'better-sqlite3';
import { filingMigration } from './0051_filing.ts';
import { capitationMigration } from './0052_capitation.ts';
import { supervisionMigration } from './0050_supervision.ts';
import { patientsMigration } from './0010_patients.ts';
import { catalogMigration } from './0011_catalog.ts';
import { catalogListsMigration } from './0012_catalog_lists.ts';
import { ledgerMigration } from './0013_ledger.ts';
import { poolReportsMigration } from './0014_pool_reports.ts';
import { settingsMigration } from './0015_settings.ts';
import { poolYearReportsMigration } from './0102_pool_year_reports.ts';
import { counterMigration } from './0070_counter.ts';
import { cashSalesMigration } from './0104_cash_sales.ts';
import { filingCandidatesMigration } from './0103_filing_candidates.ts';
import { requestHashMigration } from './0080_request_hash.ts';
import { patientLookupIndexesMigration } from './0081_patient_lookup_indexes.ts';
import { oneSettingsTableMigration } from './0082_one_settings_table.ts';
import { catalogDoseSplitMigration } from './0097_catalog_dose_split.ts';
import { paymentMigration } from './0105_payment.ts';
import { heldSalesMigration } from './0106_held_sales.ts';
import { journalMigration } from './0030_journal.ts';
import { lineTraceCodesMigration } from './0101_line_trace_codes.ts';
import { outboxMigration } from './0031_outbox.ts';
import { platformResultsMigration } from './0032_platform_results.ts';
import { dayCloseMigration } from './0033_day_close.ts';
import { platformSessionMigration } from './0095_platform_session.ts';
import { journalSealMigration } from './0098_journal_seal.ts';
import { staffAndIdentityMigration } from './0107_staff_and_identity.ts';
import { partialLineReturnsMigration } from './0120_partial_line_returns.ts';
import { hubCounterLinkMigration } from './0130_hub_counter_link.ts';
import { cashSaleRequestHashMigration } from './0135_cash_sale_request_hash.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta',
    up(db) {
      db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`);
    },
  },
  patientsMigration,
  catalogMigration,
  catalogListsMigration,
  ledgerMigration,
  poolReportsMigration,
  settingsMigration,
  counterMigration,
  journalMigration,
  outboxMigration,
  platformResultsMigration,
  dayCloseMigration,
  supervisionMigration,
  capitationMigration,
  filingMigration,
  requestHashMigration,
  patientLookupIndexesMigration,
  oneSettingsTableMigration,
  platformSessionMigration,
  catalogDoseSplitMigration,
  journalSealMigration,
  lineTraceCodesMigration,
  poolYearReportsMigration,
  filingCandidatesMigration,
  cashSalesMigration,
  paymentMigration,
  heldSalesMigration,
  staffAndIdentityMigration,
  partialLineReturnsMigration,
  hubCounterLinkMigration,
  cashSaleRequestHashMigration,
];
