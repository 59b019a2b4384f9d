// The journal's tamper evidence: each record's hash covers its own content (every column but
// seq, hash and mac, and every line) and the previous record's hash, so changing, removing or
// reordering any settlement breaks every hash after it. The hash alone can be recomputed by
// anyone who edits the file, so each record also carries a MAC of its hash under a key kept
// apart from the database (core/store/journal-key.ts; computed by insertSettlement, the one
// writer), and anchors of the head (one per day close, printed on the 日结 statement) show
// records cut off the end.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DB } from '../store/db.ts';
import { hasJournalKey } from '../store/journal-key.ts';
import { anchorMac, GENESIS_HASH, journalInOrder, listAnchors, recordMac, type JournalAnchor, type LineRow, type SettlementRow } from '../store/journal.ts';

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function recordHash(row: Omit<SettlementRow, 'hash' | 'seq'>, lines: readonly LineRow[]): string {
  const { prev_hash, ...content } = row as SettlementRow;
  delete (content as Partial<SettlementRow>).hash;
  delete (content as Partial<SettlementRow>).seq;
  delete (content as Partial<SettlementRow>).mac;
  const body = canonicalJson({ settlement: content, lines: [...lines].sort((a, b) => a.line_no - b.line_no) });
  return createHash('sha256').update(prev_hash).update('\n').update(body).digest('hex');
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** Records carrying a MAC that verifies (the rest were written before the journal was sealed). */
  sealed: number;
  /** The first record that does not verify, and why (null when the problem is an anchor). */
  broken: { seq: number; id: string; receiptNo: string; problem: string } | null;
  /** Every problem found with the anchors (a cut tail, a forged or altered anchor). */
  anchorProblems: string[];
  anchors: number;
  /** The newest day-close anchor: compare its hash with the one printed on that day's 日结 statement. */
  lastAnchor: { date: string | null; seq: number; hash: string } | null;
  head: string;
}

function sameHex(a: string | null | undefined, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Walks the whole journal in order, recomputing every hash, link and MAC, then checks every
 * anchor: its MAC, and that the record it names is still there with the same hash.
 */
export function verifyJournal(db: DB): VerifyResult {
  const keyed = hasJournalKey(db);
  const anchors = listAnchors(db);
  const anchorProblems: string[] = [];
  if (!keyed) anchorProblems.push('no journal key (journal.key) is available: MACs and anchors cannot be checked');
  const seal = anchors.find((a) => a.kind === 'seal');
  // Without the seal anchor every record must carry a MAC (a journal sealed from its first record,
  // or one whose seal anchor was removed: then the unsealed records show).
  const unsealedUpTo = seal && keyed && sameHex(seal.mac, anchorMac(db, seal)) ? seal.seq : 0;
  const wanted = new Map<number, JournalAnchor[]>();
  for (const a of anchors) {
    if (keyed && !sameHex(a.mac, anchorMac(db, a))) anchorProblems.push(`anchor ${a.id} (${a.kind} ${a.anchor_date ?? ''} at record ${a.seq}) does not match its MAC (forged or altered)`);
    wanted.set(a.seq, [...(wanted.get(a.seq) ?? []), a]);
  }
  const checkAnchorsAt = (seq: number, hash: string) => {
    for (const a of wanted.get(seq) ?? []) if (a.hash !== hash) anchorProblems.push(`anchor ${a.id} (${a.kind} ${a.anchor_date ?? ''}) names record ${seq} with another hash (the record was changed)`);
    wanted.delete(seq);
  };
  checkAnchorsAt(0, GENESIS_HASH);
  let prev = GENESIS_HASH;
  let records = 0;
  let sealed = 0;
  let broken: VerifyResult['broken'] = null;
  for (const { row, lines } of journalInOrder(db)) {
    records++;
    const fail = (problem: string) => (broken = { seq: row.seq!, id: row.id, receiptNo: row.receipt_no, problem });
    if (row.prev_hash !== prev) {
      fail(`prev_hash does not match the hash of the record before it (a record was removed, inserted or reordered)`);
      break;
    }
    const expected = recordHash(row, lines);
    if (expected !== row.hash) {
      fail(`content does not match its hash (the record or one of its lines was changed)`);
      break;
    }
    if (keyed) {
      if (row.mac == null) {
        if (row.seq! > unsealedUpTo) {
          fail(`the record carries no MAC although it was written after the journal was sealed (removed or never sealed)`);
          break;
        }
      } else if (!sameHex(row.mac, recordMac(db, row.hash))) {
        fail(`the record's MAC does not match (the record was re-hashed without the journal key)`);
        break;
      } else sealed++;
    }
    checkAnchorsAt(row.seq!, row.hash);
    prev = row.hash;
  }
  if (!broken) {
    for (const list of wanted.values()) {
      for (const a of list) anchorProblems.push(`anchor ${a.id} (${a.kind} ${a.anchor_date ?? ''}) names record ${a.seq}, which is no longer in the journal (records were cut off the end)`);
    }
  }
  const day = anchors.filter((a) => a.kind === 'day').at(-1);
  return {
    ok: broken === null && anchorProblems.length === 0,
    records,
    sealed,
    broken,
    anchorProblems,
    anchors: anchors.length,
    lastAnchor: day ? { date: day.anchor_date, seq: day.seq, hash: day.hash } : null,
    head: prev,
  };
}
