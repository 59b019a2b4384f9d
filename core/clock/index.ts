// The one clock: "now" comes from an injectable Clock, and every calendar fact the counter
// derives from it (the service date, msgid seconds, inf_time, printed times, report months) is
// read in China Standard Time (UTC+8, no daylight saving) whatever the machine's own zone, so
// a counter whose OS is set to UTC still dates a sale at 07:30 Beijing time to the right day.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock pinned to one instant (tests, back-dated batch jobs). */
export function fixedClock(at: Date | string): Clock {
  const t = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(t.getTime())) throw new Error(`fixedClock: not a time: ${String(at)}`);
  return { now: () => new Date(t.getTime()) };
}

/** A clock from a bare function (the older `now?: () => Date` options). */
export function clockOf(now: (() => Date) | Clock | undefined): Clock {
  if (!now) return systemClock;
  return typeof now === 'function' ? { now } : now;
}

export const CST_OFFSET_MS = 8 * 3600 * 1000;

function p(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** [yyyy, MM, dd, HH, mm, ss, SSS] of an instant in China Standard Time. */
export function cstParts(at: Date): [string, string, string, string, string, string, string] {
  const d = new Date(at.getTime() + CST_OFFSET_MS);
  return [p(d.getUTCFullYear(), 4), p(d.getUTCMonth() + 1), p(d.getUTCDate()), p(d.getUTCHours()), p(d.getUTCMinutes()), p(d.getUTCSeconds()), p(d.getUTCMilliseconds(), 3)];
}

/** The service date (yyyy-MM-dd) of an instant, in China Standard Time. */
export function serviceDate(at: Date = new Date()): string {
  const [y, mo, d] = cstParts(at);
  return `${y}-${mo}-${d}`;
}

/** The service month (yyyy-MM) of an instant, in China Standard Time. */
export function serviceMonth(at: Date = new Date()): string {
  return serviceDate(at).slice(0, 7);
}

/** yyyy-MM-dd HH:mm:ss in China Standard Time (inf_time, printed times). */
export function wallTime(at: Date): string {
  const [y, mo, d, h, mi, s] = cstParts(at);
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}

/** yyyyMMddHHmmss in China Standard Time (msgid). */
export function compactSecond(at: Date): string {
  return cstParts(at).slice(0, 6).join('');
}

/** yyyyMMddHHmmssSSS in China Standard Time (respond_time). */
export function compactMillis(at: Date): string {
  return cstParts(at).join('');
}

/** The second after a compact yyyyMMddHHmmss stamp (used when 9999 msgids in one second are spent). */
export function nextSecond(compact: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(compact);
  if (!m) throw new Error(`not a yyyyMMddHHmmss stamp: ${compact}`);
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - CST_OFFSET_MS;
  return compactSecond(new Date(utc + 1000));
}

/** Whole days from one yyyy-MM-dd to another (calendar arithmetic, zone-free). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** yyyy-MM-dd plus n days (calendar arithmetic, zone-free). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
