// SQL for the platform simulator's own database (a separate file, never the counter's): the
// messages it received (msgid is its key, so a repeat is recognised), visits, fee lines and
// settlements, with UNIQUE business keys so the same settlement can never be stored twice.
import { prep } from './prepared.ts';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type SimDB = Database.Database;
export const SIM_DB_FILE = 'simulator.sqlite';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS sim_message (
    msgid TEXT PRIMARY KEY,
    infno TEXT NOT NULL,
    fixmedins_code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'refused', 'reversed', 'tombstone')),
    effect_kind TEXT,
    effect_id TEXT,
    request_json TEXT,
    reply_json TEXT,
    received_at TEXT NOT NULL,
    repeats INTEGER NOT NULL DEFAULT 0
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS sim_visit (
    mdtrt_id TEXT PRIMARY KEY,
    fixmedins_code TEXT NOT NULL,
    ipt_otp_no TEXT NOT NULL,
    psn_no TEXT NOT NULL,
    mdtrtinfo_json TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (fixmedins_code, ipt_otp_no)
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS sim_fee (
    mdtrt_id TEXT NOT NULL REFERENCES sim_visit(mdtrt_id),
    feedetl_sn TEXT NOT NULL,
    line_json TEXT NOT NULL,
    PRIMARY KEY (mdtrt_id, feedetl_sn)
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS sim_settlement (
    setl_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('settle', 'reverse')),
    fixmedins_code TEXT NOT NULL,
    medins_setl_id TEXT NOT NULL,
    msgid TEXT NOT NULL,
    infno TEXT NOT NULL,
    mdtrt_id TEXT,
    reverses_setl_id TEXT,
    reversed_by TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    psn_no TEXT NOT NULL,
    insutype TEXT NOT NULL,
    clr_type TEXT NOT NULL,
    setl_date TEXT NOT NULL,
    medfee_sumamt TEXT NOT NULL,
    fund_pay_sumamt TEXT NOT NULL,
    psn_part_amt TEXT NOT NULL,
    acct_pay TEXT NOT NULL,
    output_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT`,
  // The business keys: one standing settlement per institution settlement id, one standing reversal per settlement.
  `CREATE UNIQUE INDEX IF NOT EXISTS sim_settle_business_key ON sim_settlement (fixmedins_code, medins_setl_id) WHERE kind = 'settle' AND active = 1 AND reversed_by IS NULL`,
  `CREATE UNIQUE INDEX IF NOT EXISTS sim_reverse_business_key ON sim_settlement (reverses_setl_id) WHERE kind = 'reverse' AND active = 1`,
  `CREATE INDEX IF NOT EXISTS sim_settlement_by_psn ON sim_settlement (psn_no, setl_date)`,
  `CREATE TABLE IF NOT EXISTS sim_counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT`,
  // 9101 files (the 3202 detail rows).
  `CREATE TABLE IF NOT EXISTS sim_file (file_qury_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, filename TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL) STRICT`,
  // 9001 sign-ins: a business message must carry a sign_no that is open for its institution and operator.
  `CREATE TABLE IF NOT EXISTS sim_sign_in (
    sign_no TEXT PRIMARY KEY,
    fixmedins_code TEXT NOT NULL,
    opter TEXT NOT NULL,
    sign_date TEXT NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0
  ) STRICT`,
];

export function openSimulatorDb(dataDir: string): SimDB {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, SIM_DB_FILE));
  db.pragma('journal_mode = WAL');
  // A test double: what it committed must survive its own process being killed (the OS keeps the
  // written pages), not a power cut, so it never waits for fsync.
  db.pragma('synchronous = OFF');
  db.pragma('busy_timeout = 5000');
  for (const sql of SCHEMA) db.exec(sql);
  return db;
}

export interface SimMessage {
  msgid: string;
  infno: string;
  fixmedins_code: string;
  status: 'done' | 'refused' | 'reversed' | 'tombstone';
  effect_kind: string | null;
  effect_id: string | null;
  request_json: string | null;
  reply_json: string | null;
  received_at: string;
  repeats: number;
}

export interface SimSettlement {
  setl_id: string;
  kind: 'settle' | 'reverse';
  fixmedins_code: string;
  medins_setl_id: string;
  msgid: string;
  infno: string;
  mdtrt_id: string | null;
  reverses_setl_id: string | null;
  reversed_by: string | null;
  active: number;
  psn_no: string;
  insutype: string;
  clr_type: string;
  setl_date: string;
  medfee_sumamt: string;
  fund_pay_sumamt: string;
  psn_part_amt: string;
  acct_pay: string;
  output_json: string;
  created_at: string;
}

export function getSimMessage(db: SimDB, msgid: string): SimMessage | undefined {
  return prep(db, 'SELECT * FROM sim_message WHERE msgid = ?').get(msgid) as SimMessage | undefined;
}

export function insertSimMessage(db: SimDB, m: Omit<SimMessage, 'repeats'>): void {
  prep(db, 
    `INSERT INTO sim_message (msgid, infno, fixmedins_code, status, effect_kind, effect_id, request_json, reply_json, received_at)
     VALUES (@msgid, @infno, @fixmedins_code, @status, @effect_kind, @effect_id, @request_json, @reply_json, @received_at)`,
  ).run(m);
}

export function countRepeat(db: SimDB, msgid: string): void {
  prep(db, 'UPDATE sim_message SET repeats = repeats + 1 WHERE msgid = ?').run(msgid);
}

export function setSimMessageStatus(db: SimDB, msgid: string, status: SimMessage['status']): void {
  prep(db, 'UPDATE sim_message SET status = ? WHERE msgid = ?').run(status, msgid);
}

/** A per-name counter for the simulator's own ids (setl_id, mdtrt_id). */
export function nextSimNumber(db: SimDB, name: string): number {
  prep(db, 'INSERT INTO sim_counter (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1').run(name);
  return (prep(db, 'SELECT value FROM sim_counter WHERE name = ?').get(name) as { value: number }).value;
}

export function getVisitByOtpNo(db: SimDB, code: string, iptOtpNo: string): { mdtrt_id: string } | undefined {
  return prep(db, 'SELECT mdtrt_id FROM sim_visit WHERE fixmedins_code = ? AND ipt_otp_no = ?').get(code, iptOtpNo) as { mdtrt_id: string } | undefined;
}

export function getVisit(db: SimDB, mdtrtId: string): { mdtrt_id: string; fixmedins_code: string; psn_no: string; mdtrtinfo_json: string | null } | undefined {
  return prep(db, 'SELECT * FROM sim_visit WHERE mdtrt_id = ?').get(mdtrtId) as { mdtrt_id: string; fixmedins_code: string; psn_no: string; mdtrtinfo_json: string | null } | undefined;
}

export function insertVisit(db: SimDB, v: { mdtrt_id: string; fixmedins_code: string; ipt_otp_no: string; psn_no: string; created_at: string }): void {
  prep(db, 'INSERT INTO sim_visit (mdtrt_id, fixmedins_code, ipt_otp_no, psn_no, created_at) VALUES (@mdtrt_id, @fixmedins_code, @ipt_otp_no, @psn_no, @created_at)').run(v);
}

export function setVisitInfo(db: SimDB, mdtrtId: string, json: string): void {
  prep(db, 'UPDATE sim_visit SET mdtrtinfo_json = ? WHERE mdtrt_id = ?').run(json, mdtrtId);
}

export function upsertFee(db: SimDB, mdtrtId: string, feedetlSn: string, lineJson: string): void {
  prep(db, 'INSERT INTO sim_fee (mdtrt_id, feedetl_sn, line_json) VALUES (?, ?, ?) ON CONFLICT (mdtrt_id, feedetl_sn) DO UPDATE SET line_json = excluded.line_json').run(mdtrtId, feedetlSn, lineJson);
}

export function feesOf(db: SimDB, mdtrtId: string): { feedetl_sn: string; line_json: string }[] {
  return prep(db, 'SELECT feedetl_sn, line_json FROM sim_fee WHERE mdtrt_id = ? ORDER BY feedetl_sn').all(mdtrtId) as { feedetl_sn: string; line_json: string }[];
}

export function standingSettlement(db: SimDB, code: string, medinsSetlId: string): SimSettlement | undefined {
  return db
    .prepare(`SELECT * FROM sim_settlement WHERE fixmedins_code = ? AND medins_setl_id = ? AND kind = 'settle' AND active = 1 AND reversed_by IS NULL`)
    .get(code, medinsSetlId) as SimSettlement | undefined;
}

export function getSimSettlement(db: SimDB, setlId: string): SimSettlement | undefined {
  return prep(db, 'SELECT * FROM sim_settlement WHERE setl_id = ?').get(setlId) as SimSettlement | undefined;
}

export function standingReversalOf(db: SimDB, setlId: string): SimSettlement | undefined {
  return prep(db, `SELECT * FROM sim_settlement WHERE reverses_setl_id = ? AND kind = 'reverse' AND active = 1`).get(setlId) as SimSettlement | undefined;
}

export function insertSimSettlement(db: SimDB, s: Omit<SimSettlement, 'reversed_by' | 'active'>): void {
  prep(db, 
    `INSERT INTO sim_settlement (setl_id, kind, fixmedins_code, medins_setl_id, msgid, infno, mdtrt_id, reverses_setl_id, psn_no, insutype, clr_type, setl_date,
       medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, output_json, created_at)
     VALUES (@setl_id, @kind, @fixmedins_code, @medins_setl_id, @msgid, @infno, @mdtrt_id, @reverses_setl_id, @psn_no, @insutype, @clr_type, @setl_date,
       @medfee_sumamt, @fund_pay_sumamt, @psn_part_amt, @acct_pay, @output_json, @created_at)`,
  ).run(s);
}

export function setReversedBy(db: SimDB, setlId: string, reversedBy: string | null): void {
  prep(db, 'UPDATE sim_settlement SET reversed_by = ? WHERE setl_id = ?').run(reversedBy, setlId);
}

export function deactivate(db: SimDB, setlId: string): void {
  prep(db, 'UPDATE sim_settlement SET active = 0 WHERE setl_id = ?').run(setlId);
}

/** Fund paid for a person this year by settlements that still stand (the simulator's own ledger). */
export function simFundUsed(db: SimDB, psnNo: string, year: string, beforeDate: string): string[] {
  return (
    prep(db,
        `SELECT fund_pay_sumamt AS f FROM sim_settlement WHERE psn_no = ? AND kind = 'settle' AND active = 1 AND reversed_by IS NULL
         AND setl_date >= ? AND setl_date <= ?`,
      )
      .all(psnNo, `${year}-01-01`, beforeDate) as { f: string }[]
  ).map((r) => r.f);
}

/** Settlements that stand (settled, not reversed, not 冲正'd), for reconciliation and the crash test. */
export function standingSettlements(db: SimDB, q: { code?: string; from?: string; to?: string; insutype?: string; clrType?: string } = {}): SimSettlement[] {
  const where = [`kind = 'settle'`, 'active = 1', 'reversed_by IS NULL'];
  const params: unknown[] = [];
  if (q.code) (where.push('fixmedins_code = ?'), params.push(q.code));
  if (q.from) (where.push('setl_date >= ?'), params.push(q.from));
  if (q.to) (where.push('setl_date <= ?'), params.push(q.to));
  if (q.insutype) (where.push('insutype = ?'), params.push(q.insutype));
  if (q.clrType) (where.push('clr_type = ?'), params.push(q.clrType));
  return prep(db, `SELECT * FROM sim_settlement WHERE ${where.join(' AND ')} ORDER BY created_at, setl_id`).all(...params) as SimSettlement[];
}

export function allSimSettlements(db: SimDB): SimSettlement[] {
  return prep(db, 'SELECT * FROM sim_settlement ORDER BY created_at, setl_id').all() as SimSettlement[];
}

export function simStats(db: SimDB): Record<string, number> {
  const get = (sql: string) => (prep(db, sql).get() as { n: number }).n;
  return {
    messages: get('SELECT count(*) AS n FROM sim_message'),
    repeats: get('SELECT coalesce(sum(repeats), 0) AS n FROM sim_message'),
    tombstones: get(`SELECT count(*) AS n FROM sim_message WHERE status = 'tombstone'`),
    reversedMessages: get(`SELECT count(*) AS n FROM sim_message WHERE status = 'reversed'`),
    standing: get(`SELECT count(*) AS n FROM sim_settlement WHERE kind = 'settle' AND active = 1 AND reversed_by IS NULL`),
    settlements: get(`SELECT count(*) AS n FROM sim_settlement WHERE kind = 'settle'`),
    reversals: get(`SELECT count(*) AS n FROM sim_settlement WHERE kind = 'reverse' AND active = 1`),
    signIns: get('SELECT count(*) AS n FROM sim_sign_in'),
  };
}

export function insertSimSignIn(db: SimDB, s: { sign_no: string; fixmedins_code: string; opter: string; sign_date: string }): void {
  prep(db, 'INSERT INTO sim_sign_in (sign_no, fixmedins_code, opter, sign_date) VALUES (@sign_no, @fixmedins_code, @opter, @sign_date)').run(s);
}

/** Whether a sign_no is open for this institution and operator on this day. */
export function simSignInOpen(db: SimDB, signNo: string, code: string, opter: string, date: string): boolean {
  return !!prep(db, 'SELECT 1 FROM sim_sign_in WHERE sign_no = ? AND fixmedins_code = ? AND opter = ? AND sign_date = ? AND closed = 0').get(signNo, code, opter, date);
}

/** 9002, or the platform expiring sessions (signNo null: every open sign-in). */
export function closeSimSignIn(db: SimDB, signNo: string | null): number {
  return (signNo === null ? prep(db, 'UPDATE sim_sign_in SET closed = 1 WHERE closed = 0').run() : prep(db, 'UPDATE sim_sign_in SET closed = 1 WHERE sign_no = ?').run(signNo)).changes;
}

export function insertSimFile(db: SimDB, f: { file_qury_no: string; fixmedins_code: string; filename: string; content: string; created_at: string }): void {
  prep(db, 'INSERT INTO sim_file (file_qury_no, fixmedins_code, filename, content, created_at) VALUES (@file_qury_no, @fixmedins_code, @filename, @content, @created_at)').run(f);
}

export function getSimFile(db: SimDB, fileQuryNo: string): { fixmedins_code: string; filename: string; content: string } | undefined {
  return prep(db, 'SELECT fixmedins_code, filename, content FROM sim_file WHERE file_qury_no = ?').get(fileQuryNo) as { fixmedins_code: string; filename: string; content: string } | undefined;
}

/** One settlement message the simulator received (each msgid once; `repeats` counts its later arrivals). */
export interface SettleDelivery {
  msgid: string;
  infno: string;
  /** The institution's settlement id the message settles (医药机构结算ID), read from the request. */
  medinsSetlId: string | null;
  status: SimMessage['status'];
  repeats: number;
}

/**
 * Every settle message received (2102 pharmacy, 2207 clinic), refused and repeated ones included:
 * the crash test counts deliveries per settlement from these, not only what was stored.
 */
export function settleDeliveries(db: SimDB, infnos: readonly string[] = ['2102', '2207']): SettleDelivery[] {
  const rows = prep(db, `SELECT msgid, infno, status, repeats, request_json FROM sim_message WHERE infno IN (SELECT value FROM json_each(?)) ORDER BY received_at, msgid`)
    .all(JSON.stringify(infnos)) as { msgid: string; infno: string; status: SimMessage['status']; repeats: number; request_json: string | null }[];
  return rows.map((r) => {
    let id: string | null = null;
    try {
      const input = (JSON.parse(r.request_json ?? 'null') as { input?: Record<string, { medins_setl_id?: unknown } | undefined> } | null)?.input;
      const v = input?.druginfo?.medins_setl_id ?? input?.data?.medins_setl_id;
      id = typeof v === 'string' ? v : null;
    } catch {
      id = null;
    }
    return { msgid: r.msgid, infno: r.infno, medinsSetlId: id, status: r.status, repeats: r.repeats };
  });
}
