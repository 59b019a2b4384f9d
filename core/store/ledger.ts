// Year-to-date pool usage per patient: the bureau's reported figure (as of its date) plus this
// institution's own settlement entries dated after it, per pool; a new year starts from zero
// on 1 January (a report from last year counts for nothing this year).
import { Decimal } from '../money/decimal.ts';
import { fenText } from '../money/scaled.ts';
import { InputError } from '../contract/problems.ts';
import { isRealDate } from '../contract/fields.ts';
import type { DB } from './db.ts';
import { prep as cached } from './prepared.ts';

/** The two-disease outpatient pool (the cap the quote checks). */
export const TWO_DISEASE_POOL = 'two-disease';

export interface LedgerUsage {
  psnNo: string;
  /** Service date of the settlement, yyyy-MM-dd (decides the year it counts in). */
  date: string;
  pool?: string;
  /** Fund amount in yuan, a decimal string with at most 2 decimals; negative for a reversal. */
  amount: string;
  /** The settlement (or reversal) this entry belongs to: one entry per settlement and pool. */
  settlementId: string;
}

const AMOUNT = /^-?\d+(\.\d{1,2})?$/;

function toFen(amount: string, path: string): number {
  if (!AMOUNT.test(amount)) {
    throw new InputError('INVALID_AMOUNT', `${path} must be an amount with at most 2 decimals, got ${JSON.stringify(amount)}`, '金额格式不正确', [
      { path, code: 'INVALID_AMOUNT', message: `not an amount: ${JSON.stringify(amount)}`, messageZh: '金额格式不正确' },
    ]);
  }
  return new Decimal(amount).times(100).toNumber();
}

function checkDate(date: string, path: string): void {
  if (!isRealDate(date)) {
    throw new InputError('INVALID_DATE', `${path} must be a real date yyyy-MM-dd, got ${JSON.stringify(date)}`, '日期格式不正确', [
      { path, code: 'INVALID_DATE', message: `not a date: ${JSON.stringify(date)}`, messageZh: '日期格式不正确' },
    ]);
  }
}

/**
 * Records this institution's use of a pool for one settlement. Call it inside the settlement's
 * own db.transaction (better-sqlite3 nests it as a savepoint). A second entry for the same
 * settlement and pool is refused (UNIQUE), so a retried settle cannot count twice.
 */
export function recordLedgerUsage(db: DB, usage: LedgerUsage, recordedAt: string = new Date().toISOString()): void {
  checkDate(usage.date, 'date');
  const amountFen = toFen(usage.amount, 'amount');
  cached(
    db,
    `INSERT INTO ledger_entries (psn_no, pool, service_date, amount_fen, settlement_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(usage.psnNo, usage.pool ?? TWO_DISEASE_POOL, usage.date, amountFen, usage.settlementId, recordedAt);
}

/** Stores the bureau's figure (replaces the previous one for that pool). */
export function recordPoolReport(db: DB, psnNo: string, pool: string, amount: string, asOf: string): void {
  checkDate(asOf, 'asOf');
  cached(
    db,
    `INSERT INTO pool_reports (psn_no, pool, amount_fen, as_of) VALUES (?, ?, ?, ?)
     ON CONFLICT (psn_no, pool) DO UPDATE SET amount_fen = excluded.amount_fen, as_of = excluded.as_of`,
  ).run(psnNo, pool, toFen(amount, 'amount'), asOf);
}

export interface UsageBreakdown {
  /** Year-to-date total, decimal string. */
  used: string;
  /** The bureau's figure that counts (null when there is none this year, or it is dated after `date`). */
  reported: { amount: string; asOf: string } | null;
  /** Sum of this institution's entries counted on top of it. */
  local: string;
  year: number;
}

/** How the year-to-date figure for a pool on a date is made up. */
export function usageBreakdown(db: DB, psnNo: string, date: string, pool: string = TWO_DISEASE_POOL): UsageBreakdown {
  const report = cached(db, 'SELECT amount_fen, as_of FROM pool_reports WHERE psn_no = ? AND pool = ?').get(psnNo, pool) as
    | { amount_fen: number; as_of: string }
    | undefined;
  return usageAfterReport(db, psnNo, date, report ?? null, pool);
}

/**
 * usageBreakdown when the bureau's figure for the pool is already in hand (the roster lookup reads
 * it with the patient): one indexed sum over this institution's own entries.
 */
export function usageAfterReport(db: DB, psnNo: string, date: string, report: { amount_fen: number; as_of: string } | null, pool: string = TWO_DISEASE_POOL): UsageBreakdown {
  checkDate(date, 'date');
  const year = Number(date.slice(0, 4));
  const yearStart = `${date.slice(0, 4)}-01-01`;
  // A report counts only in its own year and only for dates on or after it.
  const counts = report !== null && report.as_of >= yearStart && report.as_of <= date;
  const local = cached(
    db,
    counts
      ? 'SELECT COALESCE(SUM(amount_fen), 0) AS s FROM ledger_entries WHERE psn_no = ? AND pool = ? AND service_date > ? AND service_date <= ?'
      : 'SELECT COALESCE(SUM(amount_fen), 0) AS s FROM ledger_entries WHERE psn_no = ? AND pool = ? AND service_date >= ? AND service_date <= ?',
  ).get(psnNo, pool, counts ? report.as_of : yearStart, date) as { s: number };
  const reportedFen = counts ? report.amount_fen : 0;
  // Reversals can outweigh entries after the bureau's date; usage never goes below zero.
  const total = Math.max(0, reportedFen + local.s);
  return {
    used: fenText(total),
    reported: counts ? { amount: fenText(report.amount_fen), asOf: report.as_of } : null,
    local: fenText(local.s),
    year,
  };
}

/** Year-to-date use of a pool on `date` (decimal string), what the quote's usedThisYear is. */
export function usedThisYear(db: DB, psnNo: string, date: string, pool: string = TWO_DISEASE_POOL): string {
  return usageBreakdown(db, psnNo, date, pool).used;
}
