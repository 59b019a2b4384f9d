// SQL for the upload outbox (migration 31), the platform's answers and variances (32), day
// close (33) and the platform session (95: sign-in, terminal, reply ids). Each function runs inside the caller's transaction when there is one.
import { prep } from './prepared.ts';
import type { DB } from './db.ts';
import { compactSecond, nextSecond } from '../clock/index.ts';
import { formatMsgid } from '../contract/msgid.ts';

export const OUTBOX_STATUSES = ['pending', 'sending', 'acked', 'rejected', 'ambiguous', 'dead', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export type MessageStatus = 'planned' | 'sending' | 'acked' | 'refused' | 'ambiguous' | 'reversed' | 'skipped';

export interface Step {
  action: 'register' | 'visit' | 'fees' | 'preview' | 'settle' | 'reverse' | 'goods';
  infno: string;
}

export interface OutboxRow {
  id: string;
  settlement_id: string;
  kind: 'sale' | 'reversal' | 'return';
  status: OutboxStatus;
  depends_on: string | null;
  settle_date: string;
  steps_json: string;
  step: number;
  attempts: number;
  failures: number;
  next_attempt_at: number;
  maybe_delivered: number;
  last_error: string | null;
  reject_code: string | null;
  reject_reason: string | null;
  mdtrt_id: string | null;
  setl_id: string | null;
  chain_setl_id: string | null;
  chain_mdtrt_id: string | null;
  schema_version: number;
  app_version: string;
  created_at: string;
  updated_at: string;
  acked_at: string | null;
}

export interface MessageRow {
  msgid: string;
  outbox_id: string;
  step: number;
  attempt: number;
  infno: string;
  status: MessageStatus;
  request_json: string | null;
  reply_json: string | null;
  error: string | null;
  sent_at: string | null;
  replied_at: string | null;
  inf_refmsgid?: string | null;
}

// ---------- terminal (dev_no) ----------

export interface Terminal {
  /** 0–9: the first digit of this counter's msgid sequence, so two counters of one institution never collide. */
  terminalNo: number;
  /** 设备编号 sent as the envelope's dev_no. */
  devNo: string;
}

export function getTerminal(db: DB): Terminal | null {
  const r = prep(db, 'SELECT terminal_no, dev_no FROM terminal WHERE id = 1').get() as { terminal_no: number; dev_no: string } | undefined;
  return r ? { terminalNo: r.terminal_no, devNo: r.dev_no } : null;
}

export function setTerminal(db: DB, t: Terminal): void {
  prep(db, 'INSERT INTO terminal (id, terminal_no, dev_no) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET terminal_no = excluded.terminal_no, dev_no = excluded.dev_no').run(t.terminalNo, t.devNo);
}

/** Sequence numbers per second per terminal (the 4-digit tail is terminal digit + 3 digits). */
export const MSGID_SEQ_PER_SECOND = 999;

/**
 * The next msgid: a persistent per-second sequence behind this counter's terminal digit. The
 * clock row only moves forward, so a clock set back or 999 messages in one second still give
 * unique, increasing msgids; another terminal of the institution uses another digit.
 */
export function nextMsgid(db: DB, institutionCode: string, now: Date): string {
  const current = compactSecond(now);
  const row = prep(db, 'SELECT second, seq FROM msgid_clock WHERE id = 1').get() as { second: string; seq: number } | undefined;
  let second = current;
  let seq = 1;
  if (row) {
    if (row.second >= current) {
      second = row.second;
      seq = row.seq + 1;
      if (seq > MSGID_SEQ_PER_SECOND) {
        second = nextSecond(row.second);
        seq = 1;
      }
    }
  }
  prep(db, 'INSERT INTO msgid_clock (id, second, seq) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET second = excluded.second, seq = excluded.seq').run(second, seq);
  const terminalNo = getTerminal(db)?.terminalNo ?? 0;
  return formatMsgid(institutionCode, second, terminalNo * 1000 + seq);
}

// ---------- 9001 sign-in ----------

export interface SignInRow {
  operator_id: string;
  sign_date: string;
  fixmedins_code: string;
  sign_no: string;
  sign_time: string;
  msgid: string;
  signed_in_at: string;
  invalid_at: string | null;
  signed_out_at: string | null;
}

/** The operator's usable sign-in for the day (not refused by the platform, not signed out). */
export function currentSignIn(db: DB, operatorId: string, fixmedinsCode: string, signDate: string): SignInRow | undefined {
  return prep(db, 'SELECT * FROM platform_sign_in WHERE operator_id = ? AND fixmedins_code = ? AND sign_date = ? AND invalid_at IS NULL AND signed_out_at IS NULL ORDER BY signed_in_at DESC LIMIT 1').get(
    operatorId,
    fixmedinsCode,
    signDate,
  ) as SignInRow | undefined;
}

export function recordSignIn(db: DB, row: Omit<SignInRow, 'invalid_at' | 'signed_out_at'>): void {
  prep(db, 'INSERT INTO platform_sign_in (operator_id, sign_date, fixmedins_code, sign_no, sign_time, msgid, signed_in_at) VALUES (@operator_id, @sign_date, @fixmedins_code, @sign_no, @sign_time, @msgid, @signed_in_at)').run(row);
}

/** The platform refused this sign_no (expired, signed out elsewhere): the next message signs in again. */
export function invalidateSignIn(db: DB, signNo: string, at: string): void {
  prep(db, 'UPDATE platform_sign_in SET invalid_at = ? WHERE sign_no = ? AND invalid_at IS NULL').run(at, signNo);
}

/** Sign-ins still open (for 9002 at sign-out or shift end), optionally for one operator. */
export function openSignIns(db: DB, operatorId?: string): SignInRow[] {
  return (operatorId
    ? prep(db, 'SELECT * FROM platform_sign_in WHERE operator_id = ? AND invalid_at IS NULL AND signed_out_at IS NULL ORDER BY signed_in_at').all(operatorId)
    : prep(db, 'SELECT * FROM platform_sign_in WHERE invalid_at IS NULL AND signed_out_at IS NULL ORDER BY signed_in_at').all()) as SignInRow[];
}

export function markSignedOut(db: DB, signNo: string, at: string): void {
  prep(db, 'UPDATE platform_sign_in SET signed_out_at = ? WHERE sign_no = ? AND signed_out_at IS NULL').run(at, signNo);
}

/** Which of our messages already took this platform reply id (a replayed reply is not a new answer). */
export function messageWithRefmsgid(db: DB, infRefmsgid: string): string | undefined {
  return (prep(db, 'SELECT msgid FROM outbox_message WHERE inf_refmsgid = ? LIMIT 1').get(infRefmsgid) as { msgid: string } | undefined)?.msgid;
}

/**
 * `n` msgids at once (a sale's steps), in two statements whatever n: the same sequence as
 * nextMsgid called n times.
 */
export function nextMsgids(db: DB, institutionCode: string, now: Date, n: number): string[] {
  if (n <= 0) return [];
  const current = compactSecond(now);
  // The clock row and the terminal digit in one statement.
  const row = prep(db, 'SELECT c.second, c.seq, (SELECT terminal_no FROM terminal WHERE id = 1) AS terminal_no FROM (SELECT 1) LEFT JOIN msgid_clock c ON c.id = 1').get() as {
    second: string | null;
    seq: number | null;
    terminal_no: number | null;
  };
  const ahead = row.second !== null && row.second >= current;
  let second = ahead ? row.second! : current;
  let seq = ahead ? row.seq! : 0;
  const terminalNo = row.terminal_no ?? 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    seq += 1;
    if (seq > MSGID_SEQ_PER_SECOND) {
      second = nextSecond(second);
      seq = 1;
    }
    out.push(formatMsgid(institutionCode, second, terminalNo * 1000 + seq));
  }
  prep(db, 'INSERT INTO msgid_clock (id, second, seq) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET second = excluded.second, seq = excluded.seq').run(second, seq);
  return out;
}

/** Several messages in ONE multi-row INSERT. */
export function insertMessages(db: DB, ms: readonly Pick<MessageRow, 'msgid' | 'outbox_id' | 'step' | 'attempt' | 'infno' | 'status'>[]): void {
  if (ms.length === 0) return;
  prep(db, `INSERT INTO outbox_message (msgid, outbox_id, step, attempt, infno, status) VALUES ${ms.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`).run(
    ...ms.flatMap((m) => [m.msgid, m.outbox_id, m.step, m.attempt, m.infno, m.status]),
  );
}

export function insertOutbox(db: DB, row: Omit<OutboxRow, 'step' | 'attempts' | 'failures' | 'next_attempt_at' | 'maybe_delivered' | 'last_error' | 'reject_code' | 'reject_reason' | 'mdtrt_id' | 'setl_id' | 'chain_setl_id' | 'chain_mdtrt_id' | 'acked_at'>): void {
  prep(db, 
    `INSERT INTO outbox (id, settlement_id, kind, status, depends_on, settle_date, steps_json, schema_version, app_version, created_at, updated_at)
     VALUES (@id, @settlement_id, @kind, @status, @depends_on, @settle_date, @steps_json, @schema_version, @app_version, @created_at, @updated_at)`,
  ).run(row);
}

export function insertMessage(db: DB, m: Pick<MessageRow, 'msgid' | 'outbox_id' | 'step' | 'attempt' | 'infno' | 'status'>): void {
  prep(db, 'INSERT INTO outbox_message (msgid, outbox_id, step, attempt, infno, status) VALUES (@msgid, @outbox_id, @step, @attempt, @infno, @status)').run(m);
}

export function getOutbox(db: DB, id: string): OutboxRow | undefined {
  return prep(db, 'SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
}

/** Rows whose upload gave up (the operator's retry list). */
export function deadOutboxRows(db: DB): OutboxRow[] {
  return prep(db, `SELECT * FROM outbox WHERE status = 'dead'`).all() as OutboxRow[];
}

export function getOutboxBySettlement(db: DB, settlementId: string): OutboxRow | undefined {
  return prep(db, 'SELECT * FROM outbox WHERE settlement_id = ?').get(settlementId) as OutboxRow | undefined;
}

/** The message currently carrying a row's step (its latest attempt). */
export function currentMessage(db: DB, outboxId: string, step: number): MessageRow | undefined {
  return prep(db, 'SELECT * FROM outbox_message WHERE outbox_id = ? AND step = ? ORDER BY attempt DESC LIMIT 1').get(outboxId, step) as MessageRow | undefined;
}

export function messagesOf(db: DB, outboxId: string): MessageRow[] {
  return prep(db, 'SELECT * FROM outbox_message WHERE outbox_id = ? ORDER BY step, attempt').all(outboxId) as MessageRow[];
}

export function getMessage(db: DB, msgid: string): MessageRow | undefined {
  return prep(db, 'SELECT * FROM outbox_message WHERE msgid = ?').get(msgid) as MessageRow | undefined;
}

/**
 * Rows ready to work on: pending or ambiguous, due, and whose predecessor in the sale's chain
 * has reached a final state. A row waiting on its backoff or its predecessor never blocks others.
 */
export function readyRows(db: DB, now: number, limit: number): OutboxRow[] {
  return prep(db,
      `SELECT o.* FROM outbox o
       WHERE o.status IN ('pending', 'ambiguous') AND o.next_attempt_at <= ?
         AND (o.depends_on IS NULL OR (SELECT d.status FROM outbox d WHERE d.id = o.depends_on) IN ('acked', 'rejected', 'cancelled'))
       ORDER BY o.next_attempt_at, o.created_at LIMIT ?`,
    )
    .all(now, limit) as OutboxRow[];
}

/** When the next row becomes due (ms epoch), or null when nothing is waiting. */
export function nextDueAt(db: DB): number | null {
  const row = prep(db,
      `SELECT min(o.next_attempt_at) AS t FROM outbox o WHERE o.status IN ('pending', 'ambiguous')
       AND (o.depends_on IS NULL OR (SELECT d.status FROM outbox d WHERE d.id = o.depends_on) IN ('acked', 'rejected', 'cancelled'))`,
    )
    .get() as { t: number | null };
  return row.t;
}

export type OutboxPatch = Partial<Omit<OutboxRow, 'id' | 'settlement_id' | 'kind' | 'created_at' | 'steps_json'>>;

export function updateOutbox(db: DB, id: string, patch: OutboxPatch): void {
  const keys = Object.keys(patch);
  if (keys.length === 0) return;
  prep(db, `UPDATE outbox SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({ ...patch, id });
}

export function updateMessage(db: DB, msgid: string, patch: Partial<Pick<MessageRow, 'status' | 'request_json' | 'reply_json' | 'error' | 'sent_at' | 'replied_at' | 'inf_refmsgid'>>): void {
  const keys = Object.keys(patch);
  if (keys.length === 0) return;
  prep(db, `UPDATE outbox_message SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE msgid = @msgid`).run({ ...patch, msgid });
}

/** After a crash, a row left in 'sending' may or may not have reached the platform. */
export function recoverInterruptedSends(db: DB, nowIso: string): number {
  const tx = db.transaction(() => {
    prep(db, `UPDATE outbox_message SET status = 'ambiguous', error = 'interrupted while sending (process stopped)', replied_at = ? WHERE status = 'sending'`).run(nowIso);
    return db
      .prepare(`UPDATE outbox SET status = 'ambiguous', maybe_delivered = 1, last_error = 'interrupted while sending (process stopped)', updated_at = ? WHERE status = 'sending'`)
      .run(nowIso).changes;
  });
  return tx();
}

export function statusCounts(db: DB, date?: string): Record<OutboxStatus, number> {
  const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  const rows = (date
    ? prep(db, 'SELECT status, count(*) AS n FROM outbox WHERE settle_date = ? GROUP BY status').all(date)
    : prep(db, 'SELECT status, count(*) AS n FROM outbox GROUP BY status').all()) as { status: OutboxStatus; n: number }[];
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

export function listOutbox(db: DB, q: { statuses?: OutboxStatus[]; date?: string; limit?: number } = {}): OutboxRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.statuses?.length) (where.push(`status IN (${q.statuses.map(() => '?').join(',')})`), params.push(...q.statuses));
  if (q.date) (where.push('settle_date = ?'), params.push(q.date));
  params.push(q.limit ?? -1);
  return prep(db, `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at LIMIT ?`).all(...params) as OutboxRow[];
}

/** Rows of a day that keep it from being closed: anything not yet final on the platform. */
export function unfinishedForDate(db: DB, date: string): OutboxRow[] {
  return prep(db,
      `SELECT o.* FROM outbox o WHERE o.settle_date = ? AND (
         o.status IN ('pending', 'sending', 'ambiguous', 'dead')
         OR (o.status = 'rejected' AND o.kind = 'sale' AND NOT EXISTS (
              SELECT 1 FROM settlement r WHERE r.original_id = o.settlement_id AND r.kind = 'reversal')))
       ORDER BY o.created_at`,
    )
    .all(date) as OutboxRow[];
}

// ---------- platform answers and variances ----------

export interface PlatformSettlementRow {
  msgid: string;
  settlement_id: string;
  role: 'settle' | 'reverse';
  infno: string;
  setl_id: string;
  mdtrt_id: string | null;
  medfee_sumamt: string;
  fund_pay_sumamt: string;
  psn_part_amt: string;
  acct_pay: string;
  inscp_scp_amt: string;
  setlinfo_json: string;
  setldetail_json: string;
  detlcutinfo_json: string;
  received_at: string;
}

export function insertPlatformSettlement(db: DB, row: PlatformSettlementRow): void {
  prep(db, 
    `INSERT INTO platform_settlement (msgid, settlement_id, role, infno, setl_id, mdtrt_id, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
       inscp_scp_amt, setlinfo_json, setldetail_json, detlcutinfo_json, received_at)
     VALUES (@msgid, @settlement_id, @role, @infno, @setl_id, @mdtrt_id, @medfee_sumamt, @fund_pay_sumamt, @psn_part_amt, @acct_pay,
       @inscp_scp_amt, @setlinfo_json, @setldetail_json, @detlcutinfo_json, @received_at)
     ON CONFLICT (msgid) DO NOTHING`,
  ).run(row);
}

export function platformSettlementsOf(db: DB, settlementId: string): PlatformSettlementRow[] {
  // A settlement the platform lost (3202 repair 'resend') no longer counts; its re-sent one does.
  return prep(db, `SELECT * FROM platform_settlement WHERE settlement_id = ? AND setl_id NOT IN (SELECT setl_id FROM day_close_repair WHERE kind = 'resend') ORDER BY received_at, msgid`).all(settlementId) as PlatformSettlementRow[];
}

export interface VarianceRow {
  id: string;
  settlement_id: string;
  scope: 'settlement' | 'line';
  line_ref: string;
  field: string;
  local_value: string;
  platform_value: string;
  difference: string;
  settle_date: string;
  created_at: string;
}

export function insertVariance(db: DB, v: VarianceRow): void {
  prep(db, 
    `INSERT INTO variance (id, settlement_id, scope, line_ref, field, local_value, platform_value, difference, settle_date, created_at)
     VALUES (@id, @settlement_id, @scope, @line_ref, @field, @local_value, @platform_value, @difference, @settle_date, @created_at)
     ON CONFLICT (settlement_id, scope, line_ref, field) DO NOTHING`,
  ).run(v);
}

export function listVariances(db: DB, q: { from?: string; to?: string; settlementId?: string } = {}): (VarianceRow & { receipt_no: string })[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.from) (where.push('v.settle_date >= ?'), params.push(q.from));
  if (q.to) (where.push('v.settle_date <= ?'), params.push(q.to));
  if (q.settlementId) (where.push('v.settlement_id = ?'), params.push(q.settlementId));
  return prep(db,
      `SELECT v.*, s.receipt_no FROM variance v JOIN settlement s ON s.id = v.settlement_id
       ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY v.settle_date, s.seq, v.scope, v.line_ref, v.field`,
    )
    .all(...params) as (VarianceRow & { receipt_no: string })[];
}

// ---------- day close ----------

/**
 * What the platform acknowledged on a day, one row per settlement or reversal, with its own
 * setlinfo and (for a reversal, whose reply may lack clr_type / insutype, e.g. 2103) the setlinfo
 * of the sale's first settlement, so the day close can group by the platform's own clearing facts.
 */
export function platformAnswersForDate(db: DB, date: string): { insutype: string; institution_type: string; role: string; medfee_sumamt: string; fund_pay_sumamt: string; acct_pay: string; setlinfo_json: string; sale_setlinfo_json: string | null }[] {
  return prep(db,
      `SELECT json_extract(s.patient_json, '$.insutype') AS insutype, s.institution_type, p.role, p.medfee_sumamt, p.fund_pay_sumamt, p.acct_pay, p.setlinfo_json,
         (SELECT q.setlinfo_json FROM platform_settlement q WHERE q.settlement_id = coalesce(s.original_id, s.id) AND q.role = 'settle' ORDER BY q.received_at, q.msgid LIMIT 1) AS sale_setlinfo_json
       FROM platform_settlement p JOIN settlement s ON s.id = p.settlement_id WHERE s.settle_date = ?
         AND p.setl_id NOT IN (SELECT setl_id FROM day_close_repair WHERE kind = 'resend') ORDER BY p.msgid`,
    )
    .all(date) as { insutype: string; institution_type: string; role: string; medfee_sumamt: string; fund_pay_sumamt: string; acct_pay: string; setlinfo_json: string; sale_setlinfo_json: string | null }[];
}

export interface DayCloseRow {
  msgid: string;
  settle_date: string;
  insutype: string;
  clr_type: string;
  medfee_sumamt: string;
  fund_pay_sumamt: string;
  acct_pay: string;
  setl_cnt: number;
  stmt_rslt: string | null;
  stmt_rslt_dscr: string | null;
  balanced: number;
  reply_json: string | null;
  closed_at: string;
}

export function insertDayClose(db: DB, row: DayCloseRow): void {
  prep(db, 
    `INSERT INTO day_close (msgid, settle_date, insutype, clr_type, medfee_sumamt, fund_pay_sumamt, acct_pay, setl_cnt, stmt_rslt, stmt_rslt_dscr, balanced, reply_json, closed_at)
     VALUES (@msgid, @settle_date, @insutype, @clr_type, @medfee_sumamt, @fund_pay_sumamt, @acct_pay, @setl_cnt, @stmt_rslt, @stmt_rslt_dscr, @balanced, @reply_json, @closed_at)`,
  ).run(row);
}

export function dayCloses(db: DB, date: string): DayCloseRow[] {
  return prep(db, 'SELECT * FROM day_close WHERE settle_date = ? ORDER BY closed_at, msgid').all(date) as DayCloseRow[];
}

/** The platform's record of a settlement by its setl_id (what a reversal undoes). */
export function platformSettlementBySetlId(db: DB, setlId: string): PlatformSettlementRow | undefined {
  return prep(db, `SELECT * FROM platform_settlement WHERE setl_id = ? AND role = 'settle' LIMIT 1`).get(setlId) as PlatformSettlementRow | undefined;
}

/** An institution's latest settlement facts (name, policy), for messages not tied to one sale (9002). */
export function latestInstitutionFacts(db: DB, code: string): { policy_id: string; institution_name: string } | undefined {
  return prep(db, 'SELECT policy_id, institution_name FROM settlement WHERE institution_code = ? ORDER BY seq DESC LIMIT 1').get(code) as { policy_id: string; institution_name: string } | undefined;
}

/** The name an operator last settled under at an institution. */
export function operatorNameAt(db: DB, code: string, operatorId: string): string | undefined {
  return (prep(db, 'SELECT operator_name FROM settlement WHERE institution_code = ? AND operator_id = ? ORDER BY seq DESC LIMIT 1').get(code, operatorId) as { operator_name: string } | undefined)?.operator_name;
}

// ---------- 3202 明细对账 ----------

/**
 * What stands on the platform for each sale of a day, as the counter knows it: the setl_id held by
 * the sale chain's last acknowledged record (null after a full reversal), with the amounts of its reply.
 */
export function standingForDate(db: DB, date: string): (PlatformSettlementRow & { psn_no: string; outbox_id: string; sale_id: string })[] {
  return prep(db,
      `WITH chain AS (
         SELECT coalesce(s.original_id, s.id) AS sale_id, o.id AS outbox_id, o.chain_setl_id, s.seq,
                row_number() OVER (PARTITION BY coalesce(s.original_id, s.id) ORDER BY s.seq DESC) AS rn
         FROM outbox o JOIN settlement s ON s.id = o.settlement_id
         WHERE o.settle_date = ? AND o.status = 'acked')
       SELECT p.*, s.psn_no, c.outbox_id, c.sale_id FROM chain c
         JOIN platform_settlement p ON p.setl_id = c.chain_setl_id AND p.role = 'settle'
         JOIN settlement s ON s.id = p.settlement_id
       WHERE c.rn = 1 AND p.setl_id NOT IN (SELECT setl_id FROM day_close_repair WHERE kind = 'resend')
       ORDER BY p.msgid`,
    )
    .all(date) as (PlatformSettlementRow & { psn_no: string; outbox_id: string; sale_id: string })[];
}

export interface RepairRow {
  id: string;
  settle_date: string;
  kind: 'resend' | 'reverse' | 'report';
  setl_id: string;
  msgid: string | null;
  settlement_id: string | null;
  stmt_rslt: string;
  detail: string;
  created_at: string;
}

export function insertRepair(db: DB, r: RepairRow): void {
  prep(db, 'INSERT INTO day_close_repair (id, settle_date, kind, setl_id, msgid, settlement_id, stmt_rslt, detail, created_at) VALUES (@id, @settle_date, @kind, @setl_id, @msgid, @settlement_id, @stmt_rslt, @detail, @created_at)').run(r);
}

export function repairsOf(db: DB, date: string): RepairRow[] {
  return prep(db, 'SELECT * FROM day_close_repair WHERE settle_date = ? ORDER BY created_at, id').all(date) as RepairRow[];
}
