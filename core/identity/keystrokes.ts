// Keyboard-wedge scanners (QR/barcode guns, some card readers) "type" the code followed by
// Enter or Tab, far faster and more evenly than a person. Telling the two apart lets the
// counter treat a scan as a complete identifier (submit at once) and typing as editing.
// Ideas from onscan.js (average time per character, minimum length, suffix keys) and Odoo's
// barcode service (maximum time between two keys).

export interface KeyEvent {
  /** KeyboardEvent.key: a single character, or a named key such as "Enter", "Shift". */
  key: string;
  /** Timestamp in milliseconds (performance.now() or Date.now()). */
  t: number;
}

export interface ClassifyOptions {
  /** Highest average gap between keys for a scan (onscan.js avgTimeByChar: 30 ms). */
  maxAvgGapMs?: number;
  /** Highest single gap between two keys for a scan (Odoo max_time_between_keys_in_ms: 100 ms). */
  maxGapMs?: number;
  /** Fewest characters for a scan (onscan.js minLength: 6); shorter bursts are key presses. */
  minLength?: number;
  /** Keys that end a scan. */
  terminators?: string[];
  /** Only a burst ended by a terminator counts as a scan. */
  requireTerminator?: boolean;
}

export const DEFAULT_CLASSIFY: Required<ClassifyOptions> = {
  maxAvgGapMs: 30,
  maxGapMs: 100,
  minLength: 6,
  terminators: ['Enter', 'Tab'],
  requireTerminator: false,
};

/** Keys a scanner may send around characters (Shift for capitals) that carry no content. */
const IGNORED = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'NumLock', 'Unidentified', 'Dead']);

export type ClassifyReason = 'TOO_SHORT' | 'SLOW_AVERAGE' | 'SLOW_GAP' | 'EDIT_KEY' | 'NO_TERMINATOR' | 'CLOCK' | 'EMPTY';

export interface Classification {
  kind: 'scan' | 'typing';
  /** The characters entered, up to (not including) the first terminator. */
  text: string;
  terminator: string | null;
  stats: { chars: number; avgGapMs: number; maxGapMs: number; durationMs: number };
  /** Why it is not a scan (empty for a scan). */
  reasons: ClassifyReason[];
}

export function classifyKeystrokes(events: readonly KeyEvent[], options: ClassifyOptions = {}): Classification {
  const o = { ...DEFAULT_CLASSIFY, ...options };
  const reasons = new Set<ClassifyReason>();
  let text = '';
  let terminator: string | null = null;
  const times: number[] = [];
  for (const e of events) {
    if (IGNORED.has(e.key)) continue;
    if (o.terminators.includes(e.key)) {
      terminator = e.key;
      times.push(e.t);
      break;
    }
    if ([...e.key].length === 1) {
      text += e.key;
      times.push(e.t);
    } else {
      // Backspace, arrows, Delete…: a person correcting what they typed.
      reasons.add('EDIT_KEY');
      times.push(e.t);
    }
  }
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  if (gaps.some((g) => g < 0 || !Number.isFinite(g))) reasons.add('CLOCK');
  const durationMs = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
  const avgGapMs = gaps.length ? durationMs / gaps.length : 0;
  const maxGapMs = gaps.length ? Math.max(...gaps) : 0;
  const chars = [...text].length;

  if (chars === 0) reasons.add('EMPTY');
  else if (chars < o.minLength) reasons.add('TOO_SHORT');
  if (gaps.length === 0 && chars > 0) reasons.add('TOO_SHORT');
  if (avgGapMs > o.maxAvgGapMs) reasons.add('SLOW_AVERAGE');
  if (maxGapMs > o.maxGapMs) reasons.add('SLOW_GAP');
  if (o.requireTerminator && terminator === null) reasons.add('NO_TERMINATOR');

  return {
    kind: reasons.size === 0 ? 'scan' : 'typing',
    text,
    terminator,
    stats: { chars, avgGapMs, maxGapMs, durationMs },
    reasons: [...reasons],
  };
}
