// Platform timestamps are China Standard Time (UTC+8, no daylight saving), whatever the
// counter's own time zone: msgid, inf_time and fee_ocur_time all use it.
export { compactSecond, compactMillis, nextSecond, wallTime as infTime } from '../clock/index.ts';

export { formatMsgid, MSGID_PATTERN } from '../contract/msgid.ts';
