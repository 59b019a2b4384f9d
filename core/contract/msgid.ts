// The platform's message id: its layout is a contract between the outbox (which assigns it in the
// store) and the platform adapter (which sends it).
/** msgid = fixmedins_code (12) + yyyyMMddHHmmss (14) + 4-digit sequence: 30 characters. */
export function formatMsgid(institutionCode: string, second: string, seq: number): string {
  if (institutionCode.length !== 12) throw new Error(`fixmedins_code must be 12 characters for a msgid, got ${JSON.stringify(institutionCode)}`);
  if (!/^\d{14}$/.test(second) || seq < 1 || seq > 9999) throw new Error(`bad msgid parts ${second}/${seq}`);
  return `${institutionCode}${second}${String(seq).padStart(4, '0')}`;
}

export const MSGID_PATTERN = /^.{12}\d{14}\d{4}$/;
