// Platform timestamps are China Standard Time (UTC+8, no daylight saving), whatever the
// counter's own time zone: msgid, inf_time and fee_ocur_time all use it.
const CST_OFFSET_MS = 8 * 3600 * 1000;

function parts(at: Date): string[] {
  const d = new Date(at.getTime() + CST_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return [p(d.getUTCFullYear(), 4), p(d.getUTCMonth() + 1), p(d.getUTCDate()), p(d.getUTCHours()), p(d.getUTCMinutes()), p(d.getUTCSeconds()), p(d.getUTCMilliseconds(), 3)];
}

/** yyyyMMddHHmmss in China Standard Time. */
export function compactSecond(at: Date): string {
  return parts(at).slice(0, 6).join('');
}

/** yyyy-MM-dd HH:mm:ss in China Standard Time (inf_time). */
export function infTime(at: Date): string {
  const [y, mo, d, h, mi, s] = parts(at);
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}

/** yyyyMMddHHmmssSSS (respond_time). */
export function compactMillis(at: Date): string {
  return parts(at).join('');
}

/** The second after a compact yyyyMMddHHmmss stamp (used when 9999 msgids in one second are spent). */
export function nextSecond(compact: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(compact);
  if (!m) throw new Error(`not a yyyyMMddHHmmss stamp: ${compact}`);
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - CST_OFFSET_MS;
  return compactSecond(new Date(utc + 1000));
}

/** msgid = fixmedins_code (12) + yyyyMMddHHmmss (14) + 4-digit sequence: 30 characters. */
export function formatMsgid(institutionCode: string, second: string, seq: number): string {
  if (institutionCode.length !== 12) throw new Error(`fixmedins_code must be 12 characters for a msgid, got ${JSON.stringify(institutionCode)}`);
  if (!/^\d{14}$/.test(second) || seq < 1 || seq > 9999) throw new Error(`bad msgid parts ${second}/${seq}`);
  return `${institutionCode}${second}${String(seq).padStart(4, '0')}`;
}

export const MSGID_PATTERN = /^.{12}\d{14}\d{4}$/;
