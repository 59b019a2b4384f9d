// SQL for the patient roster: finding a patient by any identifier, and the bulk writer the
// importer drives (prepared statements, existing content hashes loaded once).
import type { RosterRecord } from '../contract/patient.ts';
import { PATIENT_LOOKUP_INDEXES } from './migrations/0081_patient_lookup_indexes.ts';
import type { DB } from './db.ts';
import type Database from 'better-sqlite3';
import { prep as stmt } from './prepared.ts';
import { TWO_DISEASE_POOL } from './ledger.ts';

/** '12.5' → 1250 without floats (the contract guarantees at most 2 decimals). */
function yuanToFen(amount: string): number {
  const [int, frac = ''] = amount.split('.');
  return Number(int) * 100 + Number((frac + '00').slice(0, 2));
}

/** Rows per multi-row INSERT on a first load, and parameters per row (packRow). */
const BATCH_ROWS = 50;
export const ROW_WIDTH = 18;

/**
 * A first-load row as bound to the batched INSERT: the 16 free-text/number columns, the row
 * hash, and the six closed-set columns (gender, insutype, conditions, payment_mode, flagged_by,
 * status) packed in one integer that the statement turns back into their text (ENUM_SQL).
 * Binding a string costs several times what binding an integer does, and a million-row load
 * binds ~20 million values. updated_at is bound once per statement.
 */
export function packRow(r: RosterRecord, hash: string, out: unknown[], o: number): void {
  out[o] = r.psn_no; out[o + 1] = r.certno; out[o + 2] = r.card_no; out[o + 3] = r.name; out[o + 4] = r.birth_date;
  out[o + 5] = r.region; out[o + 6] = r.management_class; out[o + 7] = r.other_chronic_diseases; out[o + 8] = r.chronic_disease_since;
  out[o + 9] = r.designated_institution; out[o + 10] = r.capitation_institution; out[o + 11] = r.capitation_start_month;
  out[o + 12] = r.flagged_date; out[o + 13] = r.stopped_date; out[o + 14] = r.stopped_reason; out[o + 15] = r.ec_token;
  out[o + 16] = hash; out[o + 17] = enumCode(r);
}

const PACKED_COLUMNS = [
  'psn_no', 'certno', 'card_no', 'name', 'birth_date', 'region', 'management_class', 'other_chronic_diseases',
  'chronic_disease_since', 'designated_institution', 'capitation_institution', 'capitation_start_month', 'flagged_date',
  'stopped_date', 'stopped_reason', 'ec_token', 'content_hash',
  'gender', 'insutype', 'conditions', 'payment_mode', 'flagged_by', 'status',
] as const;

function enumCode(r: RosterRecord): number {
  const g = r.gender === null ? 0 : r.gender === '1' ? 1 : r.gender === '2' ? 2 : r.gender === '9' ? 3 : -1;
  const i = r.insutype === '390' ? 0 : r.insutype === '310' ? 1 : -1;
  const c = r.conditions === 'hypertension' ? 0 : r.conditions === 'diabetes' ? 1 : r.conditions === 'both' ? 2 : -1;
  const p = r.payment_mode === 'fee-for-service' ? 0 : r.payment_mode === 'capitation' ? 1 : -1;
  const f = r.flagged_by === null ? 0 : r.flagged_by === 'bureau' ? 1 : r.flagged_by === 'health-commission' ? 2 : r.flagged_by === 'counter' ? 3 : -1;
  const s = r.status === 'active' ? 0 : r.status === 'stopped' ? 1 : -1;
  if ((g | i | c | p | f | s) < 0) throw new Error(`patient ${r.psn_no}: a value outside the column's set reached the writer`);
  return g | (i << 2) | (c << 3) | (p << 5) | (f << 6) | (s << 8);
}

/** The packed integer (VALUES column 18) back to the six columns, in PACKED_COLUMNS order. */
const ENUM_SQL = [
  `CASE column18 & 3 WHEN 1 THEN '1' WHEN 2 THEN '2' WHEN 3 THEN '9' END`,
  `CASE (column18 >> 2) & 1 WHEN 0 THEN '390' ELSE '310' END`,
  `CASE (column18 >> 3) & 3 WHEN 0 THEN 'hypertension' WHEN 1 THEN 'diabetes' WHEN 2 THEN 'both' END`,
  `CASE (column18 >> 5) & 1 WHEN 0 THEN 'fee-for-service' ELSE 'capitation' END`,
  `CASE (column18 >> 6) & 3 WHEN 1 THEN 'bureau' WHEN 2 THEN 'health-commission' WHEN 3 THEN 'counter' END`,
  `CASE (column18 >> 8) & 1 WHEN 0 THEN 'active' ELSE 'stopped' END`,
].join(', ');

function packedInsert(rows: number): string {
  const direct = Array.from({ length: 17 }, (_, i) => `column${i + 1}`).join(', ');
  const row = `(${new Array(ROW_WIDTH).fill('?').join(', ')})`;
  return `INSERT INTO patients (${PACKED_COLUMNS.join(', ')}, updated_at)
    SELECT ${direct}, ${ENUM_SQL}, ? FROM (VALUES ${new Array(rows).fill(row).join(', ')})`;
}

/** A row of a first load that repeats a psn_no already inserted (the earlier row is kept). */
export interface DuplicateRow {
  line: number;
  psnNo: string;
}

/** Columns of `patients` that hold record fields (pool usage lives in pool_reports). */
export const PATIENT_COLUMNS = [
  'psn_no', 'certno', 'card_no', 'name', 'gender', 'birth_date', 'insutype', 'region', 'conditions',
  'management_class', 'other_chronic_diseases', 'chronic_disease_since', 'designated_institution',
  'payment_mode', 'capitation_institution', 'capitation_start_month', 'flagged_date', 'flagged_by',
  'status', 'stopped_date', 'stopped_reason', 'ec_token',
] as const;

export type PatientKey = { psnNo: string } | { certno: string } | { cardNo: string } | { ecToken: string };

const SELECT = `SELECT p.${PATIENT_COLUMNS.join(', p.')},
  CASE WHEN r.amount_fen IS NULL THEN NULL ELSE printf('%d.%02d', r.amount_fen / 100, r.amount_fen % 100) END AS pool_used, r.as_of AS pool_used_as_of
  FROM patients p LEFT JOIN pool_reports r ON r.psn_no = p.psn_no AND r.pool = '${TWO_DISEASE_POOL}'`;


/**
 * Finds one patient by 人员编号, ID number, card number or e-voucher token. When an ID number
 * or card is on file twice (a bureau re-numbered someone), an active row wins over a stopped
 * one, then the most recently updated.
 */
export function findPatient(db: DB, key: PatientKey): RosterRecord | null {
  let row: unknown;
  if ('psnNo' in key) row = stmt(db, `${SELECT} WHERE p.psn_no = ?`).get(key.psnNo);
  else if ('certno' in key) row = stmt(db, `${SELECT} WHERE p.certno = ? ORDER BY p.status = 'active' DESC, p.updated_at DESC LIMIT 1`).get(key.certno.toUpperCase());
  else if ('cardNo' in key) row = stmt(db, `${SELECT} WHERE p.card_no = ? ORDER BY p.status = 'active' DESC, p.updated_at DESC LIMIT 1`).get(key.cardNo);
  else row = stmt(db, `${SELECT} WHERE p.ec_token = ? ORDER BY p.status = 'active' DESC, p.updated_at DESC LIMIT 1`).get(key.ecToken);
  return (row as RosterRecord | undefined) ?? null;
}

/**
 * The bureau's pool figure a record read by this module carries (SELECT joins pool_reports), as
 * the ledger wants it: null when there is none, undefined when the record's text is not the
 * join's own form (the caller then reads pool_reports itself).
 */
export function poolReportOf(r: RosterRecord): { amount_fen: number; as_of: string } | null | undefined {
  if (r.pool_used === null && r.pool_used_as_of === null) return null;
  const m = r.pool_used === null || r.pool_used_as_of === null ? null : /^(\d{1,13})\.(\d\d)$/.exec(r.pool_used);
  return m ? { amount_fen: Number(m[1]) * 100 + Number(m[2]), as_of: r.pool_used_as_of! } : undefined;
}

/**
 * The counter's lookup in one statement: the record whose 人员编号 is `psnNo` if there is one,
 * else the record findPatient would choose for the ID number (active first, then most recent; one
 * seek of patients_certno). The caller tells which matched by comparing psn_no.
 */
export function findPatientByPsnOrCertno(db: DB, psnNo: string, certno: string): RosterRecord | null {
  const row = stmt(
    db,
    `SELECT * FROM (${SELECT} WHERE p.psn_no = ?)
     UNION ALL SELECT * FROM (${SELECT} WHERE p.certno = ? ORDER BY p.status = 'active' DESC, p.updated_at DESC LIMIT 1)
     LIMIT 1`,
  ).get(psnNo, certno.toUpperCase());
  return (row as RosterRecord | undefined) ?? null;
}

function isKeyConflict(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function countPatients(db: DB): number {
  return (db.prepare('SELECT count(*) AS n FROM patients').get() as { n: number }).n;
}

/** The roster side of an import: existing hashes, and an upsert that writes the whole record. */
export class RosterWriter {
  private readonly upsert;
  private readonly insert;
  private readonly clearReport;
  private readonly putReport;
  private readonly get;
  private readonly setHash;
  private readonly getHash;
  private readonly insertMany;
  private readonly insertOne;
  private droppedIndexes = false;
  /** beginBulk found the table empty: no pool report can exist for a row written now. */
  private emptyLoad = false;
  /** Queued first-load rows: BATCH_ROWS × ROW_WIDTH parameters, filled in place. */
  private readonly batch: unknown[] = new Array(BATCH_ROWS * ROW_WIDTH);
  private queued = 0;
  private now = '';
  private readonly queuedLines: number[] = new Array(BATCH_ROWS);
  private readonly queuedUsed: (number | null)[] = new Array(BATCH_ROWS);
  private readonly queuedAsOf: (string | null)[] = new Array(BATCH_ROWS);
  private readonly reportParams: unknown[] = new Array(BATCH_ROWS * 4);
  /** The pool-report upsert for n rows at once, prepared when first needed. */
  private readonly putReportsByCount = new Map<number, Database.Statement<unknown[]>>();

  constructor(private readonly db: DB) {
    const cols = PATIENT_COLUMNS.join(', ');
    const params = PATIENT_COLUMNS.map(() => '?').join(', ');
    const sets = PATIENT_COLUMNS.filter((c) => c !== 'psn_no').map((c) => `${c} = excluded.${c}`).join(', ');
    this.upsert = db.prepare(
      `INSERT INTO patients (${cols}, content_hash, updated_at) VALUES (${params}, ?, ?)
       ON CONFLICT (psn_no) DO UPDATE SET ${sets}, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
    );
    // Plain INSERT for a first load: a repeated psn_no fails instead of overwriting the first row.
    this.insert = db.prepare(`INSERT INTO patients (${cols}, content_hash, updated_at) VALUES (${params}, ?, ?)`);
    // One statement for BATCH_ROWS rows: binding and stepping once per 50 rows instead of per row.
    this.insertMany = db.prepare(packedInsert(BATCH_ROWS));
    this.insertOne = db.prepare(packedInsert(1));
    this.clearReport = db.prepare('DELETE FROM pool_reports WHERE psn_no = ? AND pool = ?');
    this.putReport = db.prepare(
      `INSERT INTO pool_reports (psn_no, pool, amount_fen, as_of) VALUES (?, ?, ?, ?)
       ON CONFLICT (psn_no, pool) DO UPDATE SET amount_fen = excluded.amount_fen, as_of = excluded.as_of`,
    );
    this.get = db.prepare(`${SELECT} WHERE p.psn_no = ?`);
    this.setHash = db.prepare('UPDATE patients SET content_hash = ? WHERE psn_no = ?');
    this.getHash = db.prepare('SELECT content_hash AS hash, rowid AS rowid FROM patients WHERE psn_no = ?');
  }

  private putReports(n: number): Database.Statement<unknown[]> {
    let put = this.putReportsByCount.get(n);
    if (!put) {
      put = this.db.prepare<unknown[]>(
        `INSERT INTO pool_reports (psn_no, pool, amount_fen, as_of) VALUES ${new Array(n).fill('(?, ?, ?, ?)').join(', ')}
         ON CONFLICT (psn_no, pool) DO UPDATE SET amount_fen = excluded.amount_fen, as_of = excluded.as_of`,
      );
      this.putReportsByCount.set(n, put);
    }
    return put;
  }

  /** Remembers the hash of the row just seen for a record whose content did not change. */
  touch(psnNo: string, hash: string): void {
    this.setHash.run(hash, psnNo);
  }

  /**
   * Hash of the import row that last wrote the patient (content_hash) and its rowid. Anything
   * else that writes a patient must set content_hash to '' so the next import compares in full.
   */
  lookup(psnNo: string): { hash: string; rowid: number } | undefined {
    return this.getHash.get(psnNo) as { hash: string; rowid: number } | undefined;
  }

  /** The highest rowid: rows written from now on get higher ones (no deletes during an import); also the table's size, roughly. */
  maxRowid(): number {
    return (this.db.prepare('SELECT max(rowid) AS n FROM patients').get() as { n: number | null }).n ?? 0;
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM patients LIMIT 1').get() === undefined;
  }

  existing(psnNo: string): RosterRecord | null {
    return (this.get.get(psnNo) as RosterRecord | undefined) ?? null;
  }

  /** On an empty table, building the indexes once at the end is several times faster. Call inside the transaction. */
  beginBulk(): void {
    if (countPatients(this.db) > 0) return;
    this.emptyLoad = true;
    this.dropIndexes();
  }

  /**
   * Inside an import that brings many new patients into a roster already on file: drop the
   * lookup indexes now and build them again at endBulk (inserting into a big index row by row
   * costs several times more than sorting it once). Call inside the transaction.
   */
  deferIndexes(): void {
    if (!this.droppedIndexes) this.dropIndexes();
  }

  private dropIndexes(): void {
    for (const sql of PATIENT_LOOKUP_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${sql.split(' ')[2]}`);
    this.droppedIndexes = true;
  }

  endBulk(): void {
    this.emptyLoad = false;
    if (!this.droppedIndexes) return;
    for (const sql of PATIENT_LOOKUP_INDEXES) this.db.exec(sql);
    this.droppedIndexes = false;
  }

  /**
   * A new patient (psn_no not on file; on a first load after beginBulk): queues the record and
   * inserts 50 at a time. Returns the queued rows that turned out to repeat an earlier psn_no (not written).
   * Call flushNew() before the transaction ends.
   */
  queueNew(r: RosterRecord, hash: string, now: string, line: number): DuplicateRow[] | null {
    packRow(r, hash, this.batch, this.queued * ROW_WIDTH);
    this.now = now;
    return this.queued1(line, r.pool_used, r.pool_used_as_of);
  }

  /**
   * Like queueNew, from a flat array a worker filled with packRow (core/import/parallel.ts).
   */
  queueValues(values: readonly unknown[], offset: number, now: string, line: number, poolUsed: string | null, asOf: string | null): DuplicateRow[] | null {
    this.now = now;
    const b = this.batch;
    const o = this.queued * ROW_WIDTH;
    for (let i = 0; i < ROW_WIDTH; i++) b[o + i] = values[offset + i];
    return this.queued1(line, poolUsed, asOf);
  }

  private queued1(line: number, poolUsed: string | null, asOf: string | null): DuplicateRow[] | null {
    const reported = poolUsed !== null && asOf !== null;
    this.queuedLines[this.queued] = line;
    this.queuedUsed[this.queued] = reported ? yuanToFen(poolUsed) : null;
    this.queuedAsOf[this.queued] = reported ? asOf : null;
    if (++this.queued < BATCH_ROWS) return null;
    return this.flushNew();
  }

  /** Writes the queued first-load rows; a repeated psn_no sends the batch through row by row. */
  flushNew(): DuplicateRow[] | null {
    const n = this.queued;
    if (n === 0) return null;
    this.queued = 0;
    const b = this.batch;
    let duplicates: DuplicateRow[] | null = null;
    let ok: boolean[] | null = null;
    if (n === BATCH_ROWS) {
      try {
        // Spread: binding from arguments is cheaper than reading an array.
        this.insertMany.run(this.now, ...b); // updated_at comes first in the SQL text
      } catch (e) {
        if (!isKeyConflict(e)) throw e;
        ok = [];
      }
    } else ok = [];
    if (ok !== null) {
      // A partial batch, or one holding a repeated key (the statement was undone as a whole).
      for (let i = 0; i < n; i++) {
        try {
          this.insertOne.run(this.now, ...b.slice(i * ROW_WIDTH, (i + 1) * ROW_WIDTH));
          ok.push(true);
        } catch (e) {
          if (!isKeyConflict(e)) throw e;
          ok.push(false);
          (duplicates ??= []).push({ line: this.queuedLines[i]!, psnNo: b[i * ROW_WIDTH] as string });
        }
      }
    }
    // The bureau's pool figures of the rows written, in one statement (a quarter of a roster has one).
    const reports = this.reportParams;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const used = this.queuedUsed[i];
      if (used === null || used === undefined || (ok !== null && !ok[i])) continue;
      reports[k * 4] = b[i * ROW_WIDTH];
      reports[k * 4 + 1] = TWO_DISEASE_POOL;
      reports[k * 4 + 2] = used;
      reports[k * 4 + 3] = this.queuedAsOf[i];
      k++;
    }
    if (k > 0) this.putReports(k).run(...reports.slice(0, k * 4));
    return duplicates;
  }

  write(r: RosterRecord, hash: string, now: string, isNew = false): void {
    (isNew ? this.insert : this.upsert).run(
      r.psn_no, r.certno, r.card_no, r.name, r.gender, r.birth_date, r.insutype, r.region, r.conditions,
      r.management_class, r.other_chronic_diseases, r.chronic_disease_since, r.designated_institution,
      r.payment_mode, r.capitation_institution, r.capitation_start_month, r.flagged_date, r.flagged_by,
      r.status, r.stopped_date, r.stopped_reason, r.ec_token, hash, now,
    );
    if (r.pool_used !== null && r.pool_used_as_of !== null) {
      this.putReport.run(r.psn_no, TWO_DISEASE_POOL, yuanToFen(r.pool_used), r.pool_used_as_of);
    } else if (!this.emptyLoad) {
      // The file says the bureau reports nothing (any more): drop the old figure. (An empty table has none.)
      this.clearReport.run(r.psn_no, TWO_DISEASE_POOL);
    }
  }
}
