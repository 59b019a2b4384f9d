// Calendar-day arithmetic on yyyy-MM-dd strings (UTC, so no daylight-saving or timezone drift).
const DAY = 86_400_000;

export function toDay(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d!) / DAY;
}

export function fromDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function addDays(iso: string, n: number): string {
  return fromDay(toDay(iso) + n);
}

/** Days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return toDay(b) - toDay(a);
}

/** yyyy-MM → its first and last day. */
export function monthRange(month: string): { first: string; last: string } {
  const [y, m] = month.split('-').map(Number);
  const first = `${month}-01`;
  const last = fromDay(Date.UTC(y!, m!, 0) / DAY);
  return { first, last };
}

export function isMonth(text: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  return Boolean(m && Number(m[2]) >= 1 && Number(m[2]) <= 12);
}
