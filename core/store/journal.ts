// SQL for the settlement journal (migration 30) and its seal (migration 98: a keyed MAC per
// record, anchors of the chain's head). Writers run inside the caller's transaction; rows are
// only ever inserted (triggers refuse UPDATE and DELETE).
import { prep } from './prepared.ts';
import type { DB } from './db.ts';
import { journalMac } from './journal-key.ts';

export interface SettlementRow {
  seq?: number;
  id: string;
  request_id: string | null;
  kind: 'sale' | 'reversal' | 'return';
  original_id: string | null;
  receipt_no: string;
  settle_date: string;
  settled_at: string;
  institution_code: string;
  institution_name: string;
  institution_type: 'clinic' | 'pharmacy';
  institution_level: number;
  psn_no: string;
  patient_json: string;
  operator_id: string;
  operator_name: string;
  policy_id: string;
  policy_version: string;
  total: string;
  in_scope: string;
  fund: string;
  patient_pay: string;
  request_json: string;
  result_json: string;
  reason: string | null;
  prev_hash: string;
  hash: string;
  /** HMAC of `hash` under the journal key (migration 98); null on records written before it. Filled by insertSettlement. */
  mac?: string | null;
}

export interface LineRow {
  id: string;
  settlement_id: string;
  line_no: number;
  feedetl_sn: string;
  quote_line_id: string;
  catalog_code: string;
  own_code: string | null;
  name: string;
  quantity: string;
  price: string;
  total: string;
  in_scope: string;
  fund: string;
  patient_pay: string;
  rate: string;
  covered: number;
  facts_json: string;
  reverses_line_id: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

const SETTLEMENT_COLUMNS = [
  'id', 'request_id', 'kind', 'original_id', 'receipt_no', 'settle_date', 'settled_at', 'institution_code', 'institution_name',
  'institution_type', 'institution_level', 'psn_no', 'patient_json', 'operator_id', 'operator_name', 'policy_id', 'policy_version',
  'total', 'in_scope', 'fund', 'patient_pay', 'request_json', 'result_json', 'reason', 'prev_hash', 'hash', 'mac',
] as const;
const LINE_COLUMNS = [
  'id', 'settlement_id', 'line_no', 'feedetl_sn', 'quote_line_id', 'catalog_code', 'own_code', 'name', 'quantity', 'price', 'total',
  'in_scope', 'fund', 'patient_pay', 'rate', 'covered', 'facts_json', 'reverses_line_id',
] as const;

function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`;
}

/** The text a record's MAC covers: its hash, which covers its content, its lines and the hash before it. */
export function recordMac(db: DB, hash: string): string {
  return journalMac(db, `record\n${hash}`);
}

/** Inserts a record sealed with its MAC: every writer goes through here, so none can forget the seal. */
export function insertSettlement(db: DB, row: SettlementRow): number {
  row.mac = recordMac(db, row.hash);
  const info = prep(db, insertSql('settlement', SETTLEMENT_COLUMNS)).run(pick(row, SETTLEMENT_COLUMNS));
  return Number(info.lastInsertRowid);
}

export function insertLine(db: DB, row: LineRow): void {
  prep(db, insertSql('settlement_line', LINE_COLUMNS)).run(pick(row, LINE_COLUMNS));
}

function pick<T extends object>(row: T, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = (row as Record<string, unknown>)[c] ?? null;
  return out;
}

export function lastHash(db: DB): string {
  const row = prep(db, 'SELECT hash FROM settlement ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
  return row?.hash ?? GENESIS_HASH;
}

export function getSettlement(db: DB, id: string): SettlementRow | undefined {
  return prep(db, 'SELECT * FROM settlement WHERE id = ?').get(id) as SettlementRow | undefined;
}

export function getSettlementByRequestId(db: DB, requestId: string): SettlementRow | undefined {
  return prep(db, 'SELECT * FROM settlement WHERE request_id = ?').get(requestId) as SettlementRow | undefined;
}

export function linesOf(db: DB, settlementId: string): LineRow[] {
  return prep(db, 'SELECT * FROM settlement_line WHERE settlement_id = ? ORDER BY line_no').all(settlementId) as LineRow[];
}

/** The reversals and returns recorded against a sale, oldest first. */
export function recordsAgainst(db: DB, originalId: string): SettlementRow[] {
  return prep(db, 'SELECT * FROM settlement WHERE original_id = ? ORDER BY seq').all(originalId) as SettlementRow[];
}

/**
 * The return lines recorded against a sale (up to a record's seq), in the order written. A sale
 * line may be returned in parts (migration 120): several return lines can name the same line.
 */
export function returnLinesAgainst(db: DB, originalId: string, uptoSeq = Number.MAX_SAFE_INTEGER): LineRow[] {
  return prep(db,
      `SELECT l.* FROM settlement_line l JOIN settlement s ON s.id = l.settlement_id
       WHERE s.original_id = ? AND s.seq <= ? AND l.reverses_line_id IS NOT NULL ORDER BY s.seq, l.line_no`,
    )
    .all(originalId, uptoSeq) as LineRow[];
}

/**
 * Receipt numbers: PREFIX (S sale, T return) + yyyyMMdd + 5 digits, or with a terminal number
 * (several counters of one institution, issued by the hub) PREFIX + yyyyMMdd + "-NN-" + 5 digits,
 * so two counters never print the same number. The last one of the day is found by a range on the
 * UNIQUE index (base + a digit), not LIKE, which SQLite cannot turn into a range.
 */
const RECEIPT_BASE = `SELECT @day || CASE WHEN COALESCE((SELECT terminal_no FROM terminal WHERE id = 1), 0) > 0
    THEN '-' || printf('%02d', (SELECT terminal_no FROM terminal WHERE id = 1)) || '-' ELSE '' END AS base`;
const LAST_RECEIPT = `SELECT b.base AS base, (SELECT receipt_no FROM settlement WHERE receipt_no >= b.base || '0' AND receipt_no < b.base || ':'
    ORDER BY receipt_no DESC LIMIT 1) AS last FROM (${RECEIPT_BASE}) b`;

function receiptAfter(row: { base: string; last: string | null }): string {
  const n = row.last ? Number(row.last.slice(row.base.length)) + 1 : 1;
  return `${row.base}${String(n).padStart(5, '0')}`;
}

/** Next receipt number of a day for a prefix (see RECEIPT_BASE). */
export function nextReceiptNo(db: DB, date: string, prefix: 'S' | 'T'): string {
  return receiptAfter(prep(db, LAST_RECEIPT).get({ day: `${prefix}${date.replaceAll('-', '')}` }) as { base: string; last: string | null });
}

export interface JournalQuery {
  date?: string;
  from?: string;
  to?: string;
  psnNo?: string;
  limit?: number;
  afterSeq?: number;
}

export function listSettlements(db: DB, q: JournalQuery = {}): SettlementRow[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (q.date) (where.push('settle_date = @date'), (params.date = q.date));
  if (q.from) (where.push('settle_date >= @from'), (params.from = q.from));
  if (q.to) (where.push('settle_date <= @to'), (params.to = q.to));
  if (q.psnNo) (where.push('psn_no = @psnNo'), (params.psnNo = q.psnNo));
  if (q.afterSeq !== undefined) (where.push('seq > @afterSeq'), (params.afterSeq = q.afterSeq));
  params.limit = q.limit ?? -1;
  return db
    .prepare(`SELECT * FROM settlement ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT @limit`)
    .all(params) as SettlementRow[];
}

/** Every record in chain order with its lines, for hash verification (streamed, so a big journal fits). */
export function* journalInOrder(db: DB): Generator<{ row: SettlementRow; lines: LineRow[] }> {
  const lineStmt = prep(db, 'SELECT * FROM settlement_line WHERE settlement_id = ? ORDER BY line_no');
  let after = 0;
  const page = prep(db, 'SELECT * FROM settlement WHERE seq > ? ORDER BY seq LIMIT 500');
  for (;;) {
    const rows = page.all(after) as SettlementRow[];
    if (rows.length === 0) return;
    for (const row of rows) {
      yield { row, lines: lineStmt.all(row.id) as LineRow[] };
      after = row.seq!;
    }
  }
}

export function settlementCount(db: DB): number {
  return (prep(db, 'SELECT count(*) AS n FROM settlement').get() as { n: number }).n;
}

/**
 * Fallback ledger write into the ledger_entries table (migration 13) for when
 * core/store/ledger.ts is not there; amounts are integer fen.
 */
export function insertLedgerEntryDirect(db: DB, e: { psnNo: string; pool: string; date: string; amountFen: number; settlementId: string; at: string }): void {
  prep(db, 
    'INSERT INTO ledger_entries (psn_no, pool, service_date, amount_fen, settlement_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(e.psnNo, e.pool, e.date, e.amountFen, e.settlementId, e.at);
}

/**
 * An anchor of the chain: the head (last seq and hash) at a moment worth proving later. 'seal' is
 * written once when the journal was first sealed (the records before it carry no MAC; the anchor's
 * hash vouches for them), 'day' at each day close (printed on the 日结 statement).
 */
export interface JournalAnchor {
  id?: number;
  kind: 'seal' | 'day';
  anchor_date: string | null;
  seq: number;
  hash: string;
  mac: string;
  created_at: string;
}

function anchorText(a: Pick<JournalAnchor, 'kind' | 'anchor_date' | 'seq' | 'hash'>): string {
  return `anchor\n${a.kind}\n${a.anchor_date ?? ''}\n${a.seq}\n${a.hash}`;
}

export function anchorMac(db: DB, a: Pick<JournalAnchor, 'kind' | 'anchor_date' | 'seq' | 'hash'>): string {
  return journalMac(db, anchorText(a));
}

/** The chain's head now: the last record's seq and hash (0 and the genesis hash when empty). */
export function chainHead(db: DB): { seq: number; hash: string } {
  const row = prep(db, 'SELECT seq, hash FROM settlement ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  return row ?? { seq: 0, hash: GENESIS_HASH };
}

/** Records the current head as an anchor (sealed with the key) and returns it. */
export function insertAnchor(db: DB, kind: JournalAnchor['kind'], date: string | null, now: string): JournalAnchor {
  const head = chainHead(db);
  const a: JournalAnchor = { kind, anchor_date: date, seq: head.seq, hash: head.hash, mac: '', created_at: now };
  a.mac = anchorMac(db, a);
  const info = prep(db, 'INSERT INTO journal_anchor (kind, anchor_date, seq, hash, mac, created_at) VALUES (@kind, @anchor_date, @seq, @hash, @mac, @created_at)').run(a);
  return { ...a, id: Number(info.lastInsertRowid) };
}

export function listAnchors(db: DB): JournalAnchor[] {
  return prep(db, 'SELECT * FROM journal_anchor ORDER BY id').all() as JournalAnchor[];
}

/**
 * What a new record needs from the journal, in ONE statement: the previous record's hash (the
 * chain) and the next receipt number of the day for the prefix (as nextReceiptNo).
 */
export function journalHead(db: DB, date: string, prefix: 'S' | 'T'): { prevHash: string; receiptNo: string } {
  const row = prep(db, `SELECT (SELECT hash FROM settlement ORDER BY seq DESC LIMIT 1) AS prev_hash, r.base, r.last FROM (${LAST_RECEIPT}) r`)
    .get({ day: `${prefix}${date.replaceAll('-', '')}` }) as { prev_hash: string | null; base: string; last: string | null };
  return { prevHash: row.prev_hash ?? GENESIS_HASH, receiptNo: receiptAfter(row) };
}

/** A record's lines in ONE multi-row INSERT (one statement whatever the number of lines). */
export function insertLines(db: DB, rows: readonly LineRow[]): void {
  if (rows.length === 0) return;
  const one = `(${LINE_COLUMNS.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO settlement_line (${LINE_COLUMNS.join(', ')}) VALUES ${rows.map(() => one).join(', ')}`;
  prep(db, sql).run(...rows.flatMap((r) => LINE_COLUMNS.map((c) => (r as unknown as Record<string, unknown>)[c] ?? null)));
}

/**
 * A settlement as the read model needs it, in ONE statement: the row, its lines, its outbox row,
 * the platform's answers, variances, the records against it, and who settled it. The nested
 * parts come back as JSON text (json_group_array) for the caller to check with zod.
 */
export interface SettlementReadRow extends SettlementRow {
  lines_json: string;
  outbox_json: string | null;
  platform_json: string;
  variances_json: string;
  against_json: string;
  operator_role: string | null;
  prescription: string | null;
  request_hash: string | null;
  /** settlement_payment (migration 105) as JSON, or null when none was recorded. */
  payment_json: string | null;
}

const LINE_JSON = `json_object(${LINE_COLUMNS.map((c) => `'${c}', l.${c}`).join(', ')})`;

export function readSettlementRow(db: DB, idOrReceipt: string): SettlementReadRow | undefined {
  return prep(
    db,
    `SELECT s.*,
       (SELECT json_group_array(json(x.j)) FROM (SELECT ${LINE_JSON} AS j FROM settlement_line l WHERE l.settlement_id = s.id ORDER BY l.line_no) x) AS lines_json,
       (SELECT json_object('id', o.id, 'status', o.status, 'step', o.step, 'steps_json', o.steps_json, 'attempts', o.attempts,
                           'last_error', o.last_error, 'reject_reason', o.reject_reason, 'setl_id', o.setl_id)
          FROM outbox o WHERE o.settlement_id = s.id LIMIT 1) AS outbox_json,
       (SELECT json_group_array(json(x.j)) FROM (SELECT json_object('setl_id', p.setl_id, 'role', p.role, 'medfee_sumamt', p.medfee_sumamt,
                           'fund_pay_sumamt', p.fund_pay_sumamt, 'psn_part_amt', p.psn_part_amt) AS j
          FROM platform_settlement p WHERE p.settlement_id = s.id ORDER BY p.received_at, p.msgid) x) AS platform_json,
       (SELECT json_group_array(json(x.j)) FROM (SELECT json_object('field', v.field, 'line_ref', v.line_ref, 'local_value', v.local_value,
                           'platform_value', v.platform_value, 'difference', v.difference) AS j
          FROM variance v WHERE v.settlement_id = s.id ORDER BY v.scope, v.line_ref, v.field) x) AS variances_json,
       (SELECT json_group_array(a.id) FROM (SELECT id FROM settlement WHERE original_id = s.id ORDER BY seq) a) AS against_json,
       (SELECT json_object('due', pay.due, 'received', pay.received, 'change', pay.change_given, 'methods', json(pay.methods_json))
          FROM settlement_payment pay WHERE pay.settlement_id = s.id) AS payment_json,
       so.operator_role, so.prescription, so.request_hash
     FROM settlement s LEFT JOIN settlement_operators so ON so.settlement_id = s.id
     WHERE s.id = ? OR s.receipt_no = ?
     ORDER BY s.id = ? DESC LIMIT 1`,
  ).get(idOrReceipt, idOrReceipt, idOrReceipt) as SettlementReadRow | undefined;
}

/** The settlement an idempotency key already made, with the hash of the request it answered. */
export function settlementForRequest(db: DB, requestId: string): { id: string; requestHash: string | null } | null {
  const r = prep(db, 'SELECT s.id, so.request_hash FROM settlement s LEFT JOIN settlement_operators so ON so.settlement_id = s.id WHERE s.request_id = ?').get(requestId) as
    | { id: string; request_hash: string | null }
    | undefined;
  return r ? { id: r.id, requestHash: r.request_hash } : null;
}
