// The one place a settlement touches the patient's pool ledger (core/store/ledger.ts
// owns it). Called inside the settlement transaction, so the ledger and the journal commit together.
import type { DB } from '../store/db.ts';
import { recordLedgerUsage } from '../store/ledger.ts';

export interface LedgerUsage {
  psnNo: string;
  date: string;
  /** Signed amount paid by the two-disease pool (negative for a return). */
  amount: string;
  settlementId: string;
}

export function recordPoolUsage(db: DB, u: LedgerUsage): void {
  recordLedgerUsage(db, { psnNo: u.psnNo, date: u.date, pool: 'two-disease', amount: u.amount, settlementId: u.settlementId });
}
