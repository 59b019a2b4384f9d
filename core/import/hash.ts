// Content hash of an import row (to tell "unchanged" on re-import without rewriting the row):
// SHA-1 (native, one call per row), 120 bits kept, plus a suffix naming the column layout so a
// file with another layout never matches. Not a security measure: only change detection.
import crypto from 'node:crypto';

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

function sha1(text: string): string {
  return oneShot ? oneShot('sha1', text, 'base64') : crypto.createHash('sha1').update(text).digest('base64');
}

export function contentHash(text: string, suffix = ''): string {
  return sha1(text).slice(0, 20) + suffix;
}

/** The canonical text of a record: its values in field order. */
export function recordText(record: Record<string, unknown>, fields: readonly string[]): string {
  let s = '';
  for (const f of fields) {
    const v = record[f];
    s += (v === null || v === undefined ? '\u0000' : Array.isArray(v) ? v.join(',') : String(v)) + '\u001f';
  }
  return s;
}
