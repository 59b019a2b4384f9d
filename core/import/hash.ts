// Content hash of a record (to tell "unchanged" on re-import without rewriting the row).
// cyrb53: a fast non-cryptographic 53-bit string hash; a collision would only skip one update
// of one row, and its odds are ~1 in 9e15 per changed row.
export function contentHash(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
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
