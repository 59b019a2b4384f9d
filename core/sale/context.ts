// Step 1 of the sale pipeline: read everything a sale needs ONCE (the institution, the patient
// and what was scanned, the year's pool usage, every line's catalog item and list membership,
// the dispensing history and open overrides for the supervision checks, the prescription).
// Everything after this (price) is pure; everything written is written by commitSale.
import { Decimal } from '../money/decimal.ts';
import { InputError, problem } from '../contract/problems.ts';
import type { Institution } from '../contract/institution.ts';
import type { RosterRecord } from '../contract/patient.ts';
import type { DispensedEntry } from '../contract/dispensing.ts';
import type { SaleInput } from '../contract/sale.ts';
import { isRealDate } from '../contract/fields.ts';
import { identify, type IdentifyResult } from '../identity/index.ts';
import type { PolicyBook } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { catalogItemsByCodes, listingsFor, type CatalogItem, type Listing } from '../store/catalog.ts';
import { poolReportOf } from '../store/roster.ts';
import { usageAfterReport, usageBreakdown, type UsageBreakdown } from '../store/ledger.ts';
import { requireInstitution } from '../store/settings.ts';
import { dispensingHistory, openOverrides, type OverrideRow } from '../store/supervision.ts';
import { describePatient, resolvePatient, type PatientLookup } from '../patient/index.ts';
import { addDays } from '../supervision/dates.ts';
import { soldTraceCodes, type SoldTraceCode } from '../store/trace-codes.ts';
import { loadPlatformConfig } from '../platform/config.ts';

/** History older than this cannot leave anything to cover today (longest supply is a few months). */
const HISTORY_DAYS = 400;

export interface SaleContext {
  input: SaleInput;
  date: string;
  institution: Institution;
  record: RosterRecord;
  identified: IdentifyResult;
  /** The patient as the counter shows them (flags, eligibility, cap), from the reads above. */
  patient: PatientLookup;
  usage: UsageBreakdown;
  /** Whose figure the year's usage is: this counter's own, or the group's from the hub (higher). */
  poolSource: 'counter' | 'group';
  /** Each line's catalog item (null: no item has that code). */
  items: (CatalogItem | null)[];
  listings: Map<string, Listing>;
  /** Dispensing history and open overrides; null when no line gives days of supply (no checks). */
  supervision: { history: DispensedEntry[]; overrides: OverrideRow[] } | null;
  /** The sale's trace codes this counter has already sold (refused by price). */
  soldTraceCodes: SoldTraceCode[];
  /** The region requires a trace code per package before a sale settles (provinces.json). */
  traceCodesRequired: boolean;
}

/** Whether the institution's region requires trace codes; a region without platform settings does not. */
function traceCodesRequiredIn(policy: string): boolean {
  try {
    return loadPlatformConfig().region(policy).traceCodesRequired;
  } catch {
    return false;
  }
}

function checkDate(date: string): void {
  if (!isRealDate(date)) {
    throw new InputError('INVALID_DATE', `date must be a real date yyyy-MM-dd, got ${JSON.stringify(date)}`, '日期格式不正确', [problem('date', 'INVALID_DATE', `not a date: ${JSON.stringify(date)}`, '日期格式不正确')]);
  }
}

/**
 * The patient for what was scanned, as core/patient resolves it (an ID number: the 人员编号 probe and
 * the ID number's record in one statement), and how it was read (the certificate the platform messages carry).
 */
function findScanned(db: DB, text: string, date: string): { record: RosterRecord; identified: IdentifyResult; read: PatientLookup['input'] } {
  const { record, read } = resolvePatient(db, text, date);
  return { record, identified: identify(text, { today: date }), read };
}

/** The year's usage: the bureau's figure came with the roster record; only this institution's own entries are summed. */
function yearUsage(db: DB, r: RosterRecord, date: string): UsageBreakdown {
  const report = poolReportOf(r);
  return report === undefined ? usageBreakdown(db, r.psn_no, date) : usageAfterReport(db, r.psn_no, date, report);
}

export interface SaleContextOptions {
  institution?: Institution;
  /**
   * What the patient's pool has paid this year across the counter's group (core/hub), when the hub
   * answered: used instead of this counter's own figure when it is higher.
   */
  groupUsed?: string;
  /** Other institutions' dispensing the platform reported (5205), for the refill rule. */
  platformDispensing?: readonly DispensedEntry[];
}

export function loadSaleContext(db: DB, book: PolicyBook, input: SaleInput, options: SaleContextOptions = {}): SaleContext {
  checkDate(input.date);
  if (input.lines.length === 0) {
    throw new InputError('INVALID_REQUEST', 'a sale needs at least one line', '至少需要一个药品明细', [problem('lines', 'too_small', 'a sale needs at least one line', '至少需要一个药品明细')]);
  }
  const institution = options.institution ?? requireInstitution(db);
  const { record, identified, read } = findScanned(db, input.patient.trim(), input.date);
  const own = yearUsage(db, record, input.date);
  const group = options.groupUsed !== undefined && new Decimal(options.groupUsed).greaterThan(own.used);
  const usage = group ? { ...own, used: new Decimal(options.groupUsed!).toFixed(2) } : own;
  const patient = describePatient(db, book, institution, record, input.date, read, {}, usage);
  const byCode = catalogItemsByCodes(db, input.lines.map((l) => l.code));
  const items = input.lines.map((l) => byCode.get(l.code.trim()) ?? null);
  const listings = listingsFor(db, items.flatMap((i) => (i ? [i.code] : [])), institution.region);
  // The checks need history when a line gives its days or its item has a usual daily dose (core/sale/price).
  const supervision = input.lines.some((l, i) => l.days !== undefined || (items[i]?.usual_daily_dose ?? null) !== null)
    ? {
        // Other institutions' dispensing the platform reported (5205), when the lookup was online.
        history: [...dispensingHistory(db, record.psn_no, addDays(input.date, -HISTORY_DAYS), input.date), ...(options.platformDispensing ?? [])],
        overrides: openOverrides(db, record.psn_no, input.date),
      }
    : null;
  const codes = input.lines.flatMap((l) => l.traceCodes ?? []);
  return { input, date: input.date, institution, record, identified, patient, usage, poolSource: group ? 'group' : 'counter', items, listings, supervision, soldTraceCodes: soldTraceCodes(db, codes), traceCodesRequired: traceCodesRequiredIn(institution.policy) };
}
