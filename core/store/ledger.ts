// Pool usage per patient and calendar year: the bureau's reported figure for the year plus this
// institution's own settlement entries of that year the bureau did not yet have, per pool; a new
// year starts from zero on 1 January (a report from last year counts for nothing this year).
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

/** Stores the bureau's figure (replaces the previous one for that pool; other years' figures stay, migration 102). */
export function recordPoolReport(db: DB, psnNo: string, pool: string, amount: string, asOf: string): void {
  checkDate(asOf, 'asOf');
  cached(
    db,
    `INSERT INTO pool_reports (psn_no, pool, amount_fen, as_of) VALUES (?, ?, ?, ?)
     ON CONFLICT (psn_no, pool) DO UPDATE SET amount_fen = excluded.amount_fen, as_of = excluded.as_of`,
  ).run(psnNo, pool, toFen(amount, 'amount'), asOf);
}

export interface UsageBreakdown {
  /** The calendar year's total so far, decimal string (whatever the date inside the year). */
  used: string;
  /** The bureau's figure for this year (null when there is none for this year). */
  reported: { amount: string; asOf: string } | null;
  /** Sum of this institution's entries counted on top of it (those not already in it). */
  local: string;
  year: number;
}

/**
 * What the calendar year of `date` has paid from a pool, whatever the order in which sales were
 * dated and entered (seed 000 §二.(二).3: the cap is a ceiling on the year's fund payments; seed
 * 002 §五.(三): late entry 补录). The bureau's figure counts in full for its year from the moment
 * it is imported; our own entries of that year are added unless the bureau already had them
 * (acknowledged by the platform on or before its as-of date, Beijing time). An entry not yet
 * uploaded, or acknowledged after that date, is added. A back-dated sale sees every entry of
 * its year, later-dated ones included.
 */
export function usageBreakdown(db: DB, psnNo: string, date: string, pool: string = TWO_DISEASE_POOL): UsageBreakdown {
  return usageAfterReport(db, psnNo, date, undefined, pool);
}

/**
 * usageBreakdown when the bureau's latest figure for the pool is already in hand (the roster lookup
 * reads it with the patient). It stands for the year only when it is that year's; otherwise the
 * figure kept for the year (migration 102) is read.
 */
export function usageAfterReport(db: DB, psnNo: string, date: string, latest: { amount_fen: number; as_of: string } | null | undefined, pool: string = TWO_DISEASE_POOL): UsageBreakdown {
  checkDate(date, 'date');
  const y = date.slice(0, 4);
  const year = Number(y);
  const given = latest && latest.as_of.slice(0, 4) === y ? latest : null;
  // One statement: the year's own bureau figure (when the roster's latest is for another year) and
  // this institution's entries not already in it.
  const row = cached(
    db,
    `WITH yr AS (SELECT amount_fen, as_of FROM pool_year_reports WHERE psn_no = @psn AND pool = @pool AND year = @y AND @given IS NULL),
          ao AS (SELECT COALESCE(@given, (SELECT as_of FROM yr)) AS as_of)
     SELECT (SELECT amount_fen FROM yr) AS yfen, (SELECT as_of FROM yr) AS yas_of,
            (SELECT COALESCE(SUM(l.amount_fen), 0) FROM ledger_entries l
               LEFT JOIN outbox o ON o.settlement_id = l.settlement_id
              WHERE l.psn_no = @psn AND l.pool = @pool AND l.service_date >= @from AND l.service_date <= @to
                AND NOT ((SELECT as_of FROM ao) IS NOT NULL AND o.acked_at IS NOT NULL AND date(o.acked_at, '+8 hours') <= (SELECT as_of FROM ao))) AS s`,
  ).get({ psn: psnNo, pool, y, given: given?.as_of ?? null, from: `${y}-01-01`, to: `${y}-12-31` }) as { yfen: number | null; yas_of: string | null; s: number };
  const report = given ?? (row.yfen !== null && row.yas_of !== null ? { amount_fen: row.yfen, as_of: row.yas_of } : undefined);
  const counts = report !== undefined;
  const local = { s: row.s };
  const reportedFen = counts ? report.amount_fen : 0;
  // Reversals of entries already in the bureau's figure can outweigh the rest; usage never goes below zero.
  const total = Math.max(0, reportedFen + local.s);
  return {
    used: fenText(total),
    reported: counts ? { amount: fenText(report.amount_fen), asOf: report.as_of } : null,
    local: fenText(local.s),
    year,
  };
}

/** The year's use of a pool for a sale dated `date` (decimal string), what the quote's usedThisYear is. */
export function usedThisYear(db: DB, psnNo: string, date: string, pool: string = TWO_DISEASE_POOL): string {
  return usageBreakdown(db, psnNo, date, pool).used;
}
