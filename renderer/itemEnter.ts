// What Enter in the item field does, decided from the field's text, the hit list on screen and
// the key timing (core/identity/keystrokes). Pure, so it is tested without a browser.
//
// Key timing alone cannot be trusted: on a busy PC a wedge scanner's keys arrive with typing-
// speed gaps, and one such gap also lets the live search open a list for half the code. A text
// that is exactly an item's code, barcode or own code therefore always means that item.

export interface HitLike {
  code: string;
  barcode: string | null;
  ownCode: string | null;
}

/** What a barcode, national code or own code looks like (has a digit, no spaces), unlike a name or pinyin. */
export const CODE_LIKE = /^(?=.*\d)[0-9A-Za-z._-]{6,}$/;

export const isExact = (h: HitLike, text: string) => h.code === text || h.barcode === text || h.ownCode === text;

export type EnterAction<H> =
  | { kind: 'none' }
  | { kind: 'add'; item: H }
  /** Ask the service for the exact item; when it has none, `orPick` (the highlighted hit) if listed. */
  | { kind: 'lookup'; text: string; orPick: H | null };

export function itemEnterAction<H extends HitLike>(o: { text: string; hits: H[] | null; hitIndex: number; scan: boolean; picked: boolean }): EnterAction<H> {
  const text = o.text.trim();
  if (!text) return { kind: 'none' };
  const exact = o.hits?.find((h) => isExact(h, text));
  if (exact) return { kind: 'add', item: exact };
  const highlighted = o.hits && o.hits.length > 0 ? o.hits[o.hitIndex] : undefined;
  // Typing a name or pinyin with the list open, or having moved in the list: the highlighted hit.
  if (highlighted && !o.scan && (o.picked || !CODE_LIKE.test(text))) return { kind: 'add', item: highlighted };
  // A scan, a code typed in full, or a scanner slowed down by a busy PC.
  return { kind: 'lookup', text, orPick: o.scan ? null : (highlighted ?? null) };
}
