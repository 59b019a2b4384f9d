// The journal's tamper evidence: each record's hash covers its own content (every column but
// seq and hash, and every line) and the previous record's hash, so changing, removing or
// reordering any settlement breaks every hash after it.
import { createHash } from 'node:crypto';
import type { DB } from '../store/db.ts';
import { GENESIS_HASH, journalInOrder, type LineRow, type SettlementRow } from '../store/journal.ts';

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
  const body = canonicalJson({ settlement: content, lines: [...lines].sort((a, b) => a.line_no - b.line_no) });
  return createHash('sha256').update(prev_hash).update('\n').update(body).digest('hex');
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first record that does not verify, and why. */
  broken: { seq: number; id: string; receiptNo: string; problem: string } | null;
  head: string;
}

/** Walks the whole journal in order, recomputing every hash and every link. */
export function verifyJournal(db: DB): VerifyResult {
  let prev = GENESIS_HASH;
  let records = 0;
  for (const { row, lines } of journalInOrder(db)) {
    records++;
    const fail = (problem: string): VerifyResult => ({ ok: false, records, broken: { seq: row.seq!, id: row.id, receiptNo: row.receipt_no, problem }, head: prev });
    if (row.prev_hash !== prev) return fail(`prev_hash does not match the hash of the record before it (a record was removed, inserted or reordered)`);
    const expected = recordHash(row, lines);
    if (expected !== row.hash) return fail(`content does not match its hash (the record or one of its lines was changed)`);
    prev = row.hash;
  }
  return { ok: true, records, broken: null, head: prev };
}
