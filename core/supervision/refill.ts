// The continuous-prescription rule (seed 003 附件3 注意2: 本处方须在上一次剩余用药量不超过15日（含）
// 内凭本处方配取): the same drug may be dispensed again only when what earlier dispensings leave
// is 15 days or less. "The same drug" is the same generic name or the same ingredient class
// (the catalog's drug_group), so switching between two ARBs does not dodge the check.
import type { DispensedEntry } from '../contract/dispensing.ts';
import { addDays, daysBetween, toDay } from './dates.ts';

export type { DispensedEntry };


export interface Coverage {
  /** The first day no earlier dispensing covers. */
  coveredUntil: string;
  /** The entries that count as the same drug, oldest first. */
  entries: DispensedEntry[];
}

/** Normalises a generic name for comparison (full-width, spaces, common salt suffixes stay). */
export function sameName(a: string, b: string): boolean {
  const n = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
  return n(a) === n(b);
}

export function isSameDrug(line: { genericName: string; drugGroup: string | null }, e: DispensedEntry): boolean {
  if (sameName(line.genericName, e.genericName)) return true;
  return Boolean(line.drugGroup && e.drugGroup && sameName(line.drugGroup, e.drugGroup));
}

/**
 * How far earlier dispensings of the same drug reach. A refill taken early does not waste the
 * remaining tablets: supplies chain, each starting when the previous one runs out.
 * Entries dated after `date` (a back-dated check) are ignored.
 */
export function coverage(line: { genericName: string; drugGroup: string | null }, history: readonly DispensedEntry[], date: string): Coverage | null {
  const entries = history.filter((e) => e.date <= date && isSameDrug(line, e)).sort((a, b) => a.date.localeCompare(b.date));
  if (entries.length === 0) return null;
  let end = entries[0]!.date;
  for (const e of entries) {
    const start = toDay(e.date) > toDay(end) ? e.date : end;
    end = addDays(start, e.days);
  }
  return { coveredUntil: end, entries };
}

export interface RefillVerdict {
  allowed: boolean;
  /** Days earlier dispensings still cover from `date` (0 when they have run out). */
  daysLeft: number;
  /** The first date the refill is allowed. */
  allowedFrom: string;
  last: DispensedEntry | null;
}

export function refillVerdict(
  line: { genericName: string; drugGroup: string | null },
  history: readonly DispensedEntry[],
  date: string,
  maxDaysLeft: number,
): RefillVerdict {
  const c = coverage(line, history, date);
  if (!c) return { allowed: true, daysLeft: 0, allowedFrom: date, last: null };
  const daysLeft = Math.max(0, daysBetween(date, c.coveredUntil));
  const allowedFrom = addDays(c.coveredUntil, -maxDaysLeft);
  return { allowed: daysLeft <= maxDaysLeft, daysLeft, allowedFrom: allowedFrom < date ? date : allowedFrom, last: c.entries[c.entries.length - 1]! };
}
