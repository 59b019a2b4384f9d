// Platform timestamps are China Standard Time (UTC+8, no daylight saving), whatever the
// counter's own time zone: msgid, inf_time and fee_ocur_time all use it.
export { compactSecond, compactMillis, nextSecond, wallTime as infTime } from '../clock/index.ts';

/** msgid = fixmedins_code (12) + yyyyMMddHHmmss (14) + 4-digit sequence: 30 characters. */
export function formatMsgid(institutionCode: string, second: string, seq: number): string {
  if (institutionCode.length !== 12) throw new Error(`fixmedins_code must be 12 characters for a msgid, got ${JSON.stringify(institutionCode)}`);
  if (!/^\d{14}$/.test(second) || seq < 1 || seq > 9999) throw new Error(`bad msgid parts ${second}/${seq}`);
  return `${institutionCode}${second}${String(seq).padStart(4, '0')}`;
}

export const MSGID_PATTERN = /^.{12}\d{14}\d{4}$/;
