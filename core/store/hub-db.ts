// The hub's PostgreSQL database: numbered migrations, and every query the hub runs. The journal
// tables are append-only twice over: the application role is granted INSERT and SELECT only, and a
// trigger refuses UPDATE, DELETE and TRUNCATE even to the owner.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { HubLine, HubRecord, HubRosterRow, HubSettlement } from '../contract/hub.ts';

export type HubPool = pg.Pool;

export function openHubPool(url: string, max = 10): HubPool {
  const pool = new pg.Pool({ connectionString: url, max, statement_timeout: 10_000, idle_in_transaction_session_timeout: 30_000 });
  // A connection PostgreSQL ends (a restart, a failover, a timeout) fails the request that used it;
  // without these listeners its 'error' event would end the whole hub process.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export interface HubMigration { version: number; name: string; sql: string }

/** The role the hub service logs in as; it may read and append, never rewrite. */
export const HUB_APP_ROLE = 'lbc_hub_app';

export const HUB_MIGRATIONS: readonly HubMigration[] = [
  {
    version: 1,
    name: 'counters',
    sql: `
      CREATE TABLE counters (
        id text PRIMARY KEY,
        institution_code text NOT NULL,
        name text NOT NULL,
        credential_sha256 text NOT NULL,
        dev_no integer NOT NULL CHECK (dev_no BETWEEN 1 AND 99),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        UNIQUE (institution_code, dev_no)
      );`,
  },
  {
    version: 2,
    name: 'journal',
    sql: `
      CREATE TABLE journal_settlement (
        id text PRIMARY KEY,
        counter_id text NOT NULL REFERENCES counters (id),
        counter_seq bigint NOT NULL,
        kind text NOT NULL,
        original_id text,
        receipt_no text NOT NULL,
        settle_date date NOT NULL,
        institution_code text NOT NULL,
        psn_no text NOT NULL,
        fund numeric(14, 2) NOT NULL,
        hash text NOT NULL,
        record jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (counter_id, counter_seq)
      );
      CREATE INDEX journal_settlement_pool ON journal_settlement (psn_no, settle_date);
      CREATE TABLE journal_line (
        id text PRIMARY KEY,
        settlement_id text NOT NULL REFERENCES journal_settlement (id),
        line_no integer NOT NULL,
        line jsonb NOT NULL,
        UNIQUE (settlement_id, line_no)
      );
      CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
      END $$;
      CREATE TRIGGER journal_settlement_append_only BEFORE UPDATE OR DELETE ON journal_settlement
        FOR EACH ROW EXECUTE FUNCTION journal_append_only();
      CREATE TRIGGER journal_settlement_no_truncate BEFORE TRUNCATE ON journal_settlement
        FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
      CREATE TRIGGER journal_line_append_only BEFORE UPDATE OR DELETE ON journal_line
        FOR EACH ROW EXECUTE FUNCTION journal_append_only();
      CREATE TRIGGER journal_line_no_truncate BEFORE TRUNCATE ON journal_line
        FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();`,
  },
  {
    version: 3,
    name: 'pool_flags_and_trace_codes',
    sql: `
      CREATE TABLE pool_flags (
        psn_no text NOT NULL,
        year integer NOT NULL,
        fund numeric(14, 2) NOT NULL,
        cap numeric(14, 2) NOT NULL,
        flagged_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (psn_no, year)
      );
      CREATE TABLE trace_codes (
        code text PRIMARY KEY,
        counter_id text NOT NULL REFERENCES counters (id),
        settlement_id text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 4,
    name: 'roster',
    sql: `
      CREATE SEQUENCE roster_version;
      CREATE TABLE roster (
        psn_no text PRIMARY KEY,
        version bigint NOT NULL DEFAULT nextval('roster_version'),
        content_hash text NOT NULL,
        row jsonb NOT NULL
      );
      CREATE UNIQUE INDEX roster_by_version ON roster (version);`,
  },
  {
    version: 5,
    name: 'pool_holds',
    sql: `
      -- A counter about to settle holds the fund amount against the patient's year, so two counters
      -- settling at the same moment cannot both spend the last of the cap. A hold ends when its
      -- record arrives in the journal, or expires (a sale that was never committed).
      CREATE TABLE pool_holds (
        sale_id text PRIMARY KEY,
        counter_id text NOT NULL REFERENCES counters (id),
        psn_no text NOT NULL,
        year integer NOT NULL,
        amount numeric(14, 2) NOT NULL CHECK (amount >= 0),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX pool_holds_patient ON pool_holds (psn_no, year);`,
  },
];

/** Creates the schema (or brings it up to date) and the least-privilege application role. */
export async function migrateHub(pool: HubPool, appPassword?: string): Promise<number> {
  const client = await pool.connect();
  let failure: Error | undefined; // a client that failed mid-transaction is discarded, not handed out again
  try {
    await client.query('BEGIN');
    // One migrator at a time, even when two hubs start together.
    await client.query('SELECT pg_advisory_xact_lock(4242)');
    await client.query('CREATE TABLE IF NOT EXISTS hub_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM hub_migrations')).rows.map((r) => r.version));
    let latest = Math.max(0, ...done);
    for (const m of HUB_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO hub_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      latest = Math.max(latest, m.version);
    }
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [HUB_APP_ROLE]);
    if (role.rowCount === 0) await client.query(`CREATE ROLE ${HUB_APP_ROLE} LOGIN`);
    if (appPassword !== undefined) await client.query(`ALTER ROLE ${HUB_APP_ROLE} PASSWORD ${pg.escapeLiteral(appPassword)}`);
    await client.query(`GRANT SELECT, INSERT ON journal_settlement, journal_line, trace_codes TO ${HUB_APP_ROLE}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE ON pool_flags, roster TO ${HUB_APP_ROLE}`);
    await client.query(`GRANT SELECT, INSERT, DELETE ON pool_holds TO ${HUB_APP_ROLE}`);
    await client.query(`GRANT SELECT ON counters, hub_migrations TO ${HUB_APP_ROLE}`);
    await client.query(`GRANT USAGE ON SEQUENCE roster_version TO ${HUB_APP_ROLE}`);
    await client.query('COMMIT');
    return latest;
  } catch (e) {
    failure = e as Error;
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release(failure);
  }
}

export function credentialDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CounterRow { id: string; institution_code: string; name: string; dev_no: number; revoked_at: Date | null }

/** Registers a counter with the next free terminal number of its institution. */
export async function addCounter(pool: HubPool, c: { id: string; institutionCode: string; name: string; secret: string }): Promise<CounterRow> {
  const client = await pool.connect();
  let failure: Error | undefined; // a client that failed mid-transaction is discarded, not handed out again
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [c.institutionCode]);
    const next = await client.query<{ n: number }>('SELECT coalesce(max(dev_no), 0) + 1 AS n FROM counters WHERE institution_code = $1', [c.institutionCode]);
    const devNo = next.rows[0]!.n;
    if (devNo > 99) throw new Error(`institution ${c.institutionCode} already has 99 terminals`);
    const row = await client.query<CounterRow>(
      'INSERT INTO counters (id, institution_code, name, credential_sha256, dev_no) VALUES ($1, $2, $3, $4, $5) RETURNING id, institution_code, name, dev_no, revoked_at',
      [c.id, c.institutionCode, c.name, credentialDigest(c.secret), devNo],
    );
    await client.query('COMMIT');
    return row.rows[0]!;
  } catch (e) {
    failure = e as Error;
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release(failure);
  }
}

export async function revokeCounter(pool: HubPool, id: string): Promise<boolean> {
  const r = await pool.query('UPDATE counters SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (r.rowCount ?? 0) > 0;
}

/** The counter a credential belongs to, or null when unknown or revoked. */
export async function counterByCredential(pool: HubPool, id: string, secret: string): Promise<CounterRow | null> {
  const r = await pool.query<CounterRow>(
    'SELECT id, institution_code, name, dev_no, revoked_at FROM counters WHERE id = $1 AND credential_sha256 = $2 AND revoked_at IS NULL',
    [id, credentialDigest(secret)],
  );
  return r.rows[0] ?? null;
}

export interface OverCap { psnNo: string; year: number; fund: string; cap: string }
export interface InsertOutcome {
  inserted: number;
  duplicates: number;
  conflicts: { id: string; reason: string }[];
  overCap: OverCap[];
  /**
   * Set when the push does not continue what the hub holds because the hub lacks the records
   * before it (a standby promoted before it had received them): the counter's highest sequence
   * number the hub holds, for the counter to send again from there.
   */
  gapAfter?: number;
}

/**
 * Appends a counter's journal records. A record the hub already holds with the same hash is a
 * duplicate (a retried push) and changes nothing; the same id with other content is a conflict,
 * reported and never overwritten. One transaction per push: all of it or none of it.
 * The patient-years the new records take over the cap are flagged in the same transaction, so a
 * hub killed after the commit cannot have stored the records and lost the flag (a retried push
 * is all duplicates and would never flag them).
 */
export async function insertJournal(pool: HubPool, counterId: string, records: readonly HubRecord[]): Promise<InsertOutcome> {
  const client = await pool.connect();
  let failure: Error | undefined; // a client that failed mid-transaction is discarded, not handed out again
  const out: InsertOutcome = { inserted: 0, duplicates: 0, conflicts: [], overCap: [] };
  try {
    await client.query('BEGIN');
    // One push at a time per counter, so the chain check below sees a settled tail.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`journal:${counterId}`]);
    const s = records.map((r) => r.settlement);
    const broken = await chainBreak(client, counterId, s);
    if (broken) {
      await client.query('ROLLBACK');
      return { ...out, conflicts: [broken], ...(broken.gapAfter !== undefined ? { gapAfter: broken.gapAfter } : {}) };
    }
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO journal_settlement (id, counter_id, counter_seq, kind, original_id, receipt_no, settle_date, institution_code, psn_no, fund, hash, record)
       SELECT u.id, $1, u.seq, u.kind, u.original_id, u.receipt_no, u.settle_date::date, u.institution_code, u.psn_no, u.fund::numeric, u.hash, u.record
         FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[])
           AS u(id, seq, kind, original_id, receipt_no, settle_date, institution_code, psn_no, fund, hash, record)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        counterId,
        s.map((x) => x.id), s.map((x) => x.seq), s.map((x) => x.kind), s.map((x) => x.original_id), s.map((x) => x.receipt_no),
        s.map((x) => x.settle_date), s.map((x) => x.institution_code), s.map((x) => x.psn_no), s.map((x) => x.fund), s.map((x) => x.hash),
        s.map((x) => JSON.stringify(x)),
      ],
    );
    const fresh = new Set(inserted.rows.map((r) => r.id));
    out.inserted = fresh.size;
    const lines: HubLine[] = records.filter((r) => fresh.has(r.settlement.id)).flatMap((r) => r.lines);
    if (lines.length > 0) {
      await client.query(
        `INSERT INTO journal_line (id, settlement_id, line_no, line)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[])`,
        [lines.map((l) => l.id), lines.map((l) => l.settlement_id), lines.map((l) => l.line_no), lines.map((l) => JSON.stringify(l))],
      );
    }
    const seen = records.filter((r) => !fresh.has(r.settlement.id)).map((r) => r.settlement);
    if (seen.length > 0) {
      const held = await client.query<{ id: string; counter_id: string; hash: string }>(
        'SELECT id, counter_id, hash FROM journal_settlement WHERE id = ANY($1::text[])',
        [seen.map((x) => x.id)],
      );
      const byId = new Map(held.rows.map((r) => [r.id, r]));
      for (const x of seen) {
        const h = byId.get(x.id);
        if (h && h.counter_id === counterId && h.hash === x.hash) out.duplicates += 1;
        else out.conflicts.push({ id: x.id, reason: h ? 'the hub holds another record under this id' : 'this counter already sent another record with this sequence number' });
      }
    }
    if (out.conflicts.length > 0) {
      await client.query('ROLLBACK');
      return { ...out, inserted: 0 };
    }
    const touched = s.filter((x) => fresh.has(x.id));
    if (touched.length > 0) out.overCap = await flagOverCap(client, touched);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    failure = e as Error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release(failure);
  }
}

const GENESIS = '0'.repeat(64);

/**
 * The counter's records form one hash chain (each record names the hash of the one before). A push
 * must continue what the hub holds and be unbroken inside; a gap or a rewritten record is refused.
 * A push whose first record follows one the hub does not hold at all, with no record of the counter
 * held at the place before it, is a gap at the hub (its records were lost, as by a failover to a
 * standby that had not received them): `gapAfter` then tells the counter where the hub's copy ends.
 */
async function chainBreak(client: pg.PoolClient, counterId: string, s: readonly HubSettlement[]): Promise<{ id: string; reason: string; gapAfter?: number } | null> {
  const sorted = [...s].sort((a, b) => a.seq - b.seq);
  const before = await client.query<{ hash: string; counter_seq: string }>(
    'SELECT hash, counter_seq FROM journal_settlement WHERE counter_id = $1 AND counter_seq < $2 ORDER BY counter_seq DESC LIMIT 1',
    [counterId, sorted[0]!.seq],
  );
  let expected = before.rows[0]?.hash ?? GENESIS;
  const first = sorted[0]!;
  const heldBefore = Number(before.rows[0]?.counter_seq ?? 0);
  // The hub holds nothing at the place before this record, nor the record it follows anywhere.
  if (first.prev_hash !== expected && first.prev_hash !== GENESIS && heldBefore < first.seq - 1) {
    const held = await client.query('SELECT 1 FROM journal_settlement WHERE counter_id = $1 AND hash = $2', [counterId, first.prev_hash]);
    if (held.rowCount === 0) {
      const head = await client.query<{ n: string | null }>('SELECT max(counter_seq) AS n FROM journal_settlement WHERE counter_id = $1', [counterId]);
      return { id: first.id, reason: 'the hub does not hold the records before this one', gapAfter: Number(head.rows[0]?.n ?? 0) };
    }
  }
  for (const x of sorted) {
    if (x.prev_hash !== expected) return { id: x.id, reason: 'the record does not continue the counter\'s hash chain (a record before it is missing or was changed)' };
    expected = x.hash;
  }
  return null;
}

export async function highestSeq(pool: HubPool, counterId: string): Promise<number> {
  const r = await pool.query<{ n: string | null }>('SELECT max(counter_seq) AS n FROM journal_settlement WHERE counter_id = $1', [counterId]);
  return Number(r.rows[0]?.n ?? 0);
}

const YEAR_RANGE = 'settle_date >= make_date($2, 1, 1) AND settle_date < make_date($2 + 1, 1, 1)';
const LIVE_HOLDS = `psn_no = $1 AND year = $2 AND expires_at > now()
  AND NOT EXISTS (SELECT 1 FROM journal_settlement j WHERE j.id = pool_holds.sale_id)`;

/**
 * What the patient's pool has paid in a calendar year at every counter of the group (reversals
 * netted), plus what counters hold for sales being settled right now.
 */
export async function poolYear(pool: HubPool | pg.PoolClient, psnNo: string, year: number): Promise<{ fund: string; held: string; counters: number }> {
  const r = await pool.query<{ fund: string; held: string; counters: string }>(
    `SELECT (SELECT coalesce(sum(fund), 0) FROM journal_settlement WHERE psn_no = $1 AND ${YEAR_RANGE})::numeric(14, 2)::text AS fund,
            (SELECT coalesce(sum(amount), 0) FROM pool_holds WHERE ${LIVE_HOLDS})::numeric(14, 2)::text AS held,
            (SELECT count(DISTINCT counter_id) FROM journal_settlement WHERE psn_no = $1 AND ${YEAR_RANGE})::text AS counters`,
    [psnNo, year],
  );
  return { fund: r.rows[0]!.fund, held: r.rows[0]!.held, counters: Number(r.rows[0]!.counters) };
}

export interface HoldRequest { saleId: string; counterId: string; psnNo: string; year: number; amount: string; cap: string; ttlSeconds: number }

/**
 * Holds `amount` of the patient's year for a sale about to be settled, if paid + held + amount stays
 * within the cap. Serialised per patient-year, so two counters cannot both take the last of it.
 * Repeating a hold for the same sale replaces it.
 */
export async function holdPool(pool: HubPool, h: HoldRequest): Promise<{ granted: boolean; fund: string; held: string }> {
  const client = await pool.connect();
  let failure: Error | undefined; // a client that failed mid-transaction is discarded, not handed out again
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', [h.psnNo, h.year]);
    await client.query('DELETE FROM pool_holds WHERE sale_id = $1 AND counter_id = $2', [h.saleId, h.counterId]);
    const now = await poolYear(client, h.psnNo, h.year);
    const fits = await client.query<{ ok: boolean }>('SELECT ($1::numeric + $2::numeric + $3::numeric) <= $4::numeric AS ok', [now.fund, now.held, h.amount, h.cap]);
    const granted = fits.rows[0]!.ok;
    if (granted) {
      await client.query(
        `INSERT INTO pool_holds (sale_id, counter_id, psn_no, year, amount, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
        [h.saleId, h.counterId, h.psnNo, h.year, h.amount, h.ttlSeconds],
      );
    }
    await client.query('COMMIT');
    return { granted, fund: now.fund, held: now.held };
  } catch (e) {
    failure = e as Error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release(failure);
  }
}

/** Gives back a hold for a sale that was not settled after all. */
export async function releaseHold(pool: HubPool, counterId: string, saleId: string): Promise<void> {
  await pool.query('DELETE FROM pool_holds WHERE sale_id = $1 AND counter_id = $2', [saleId, counterId]);
}

/**
 * Flags the patient-years of the pushed records whose fund across the group is over the cap (the
 * cap the newest sale of that year was quoted against, from its stored result). Runs inside the push's
 * transaction, after its records are written: the per-patient-year locks (taken in one order, so
 * two pushes never deadlock; the same lock a hold takes) make a second push touching the same
 * patient wait for this one's commit, so it sees both pushes' records and two records that are
 * only together over the cap are flagged. A flag's figures are the latest push's; never a record.
 */
async function flagOverCap(client: pg.PoolClient, records: readonly HubSettlement[]): Promise<OverCap[]> {
  // Per patient-year of the push: the cap its newest sale here was quoted against (null when the
  // push holds no sale of that year, or its result does not say: then the newest at the hub).
  const years = new Map<string, { psn: string; year: number; cap: string | null; seq: number }>();
  for (const x of records) {
    const year = Number(x.settle_date.slice(0, 4));
    const key = `${x.psn_no}|${year}`;
    const y = years.get(key) ?? years.set(key, { psn: x.psn_no, year, cap: null, seq: -1 }).get(key)!;
    if (x.kind === 'sale' && x.seq > y.seq) {
      y.seq = x.seq;
      y.cap = capQuoted(x.result_json);
    }
  }
  const t = [...years.values()];
  const psns = t.map((y) => y.psn);
  const ys = t.map((y) => y.year);
  await client.query(
    `SELECT pg_advisory_xact_lock(k, y) FROM (SELECT DISTINCT hashtext(psn) AS k, year AS y FROM unnest($1::text[], $2::int[]) AS u(psn, year)) t ORDER BY k, y`,
    [psns, ys],
  );
  const r = await client.query<{ psn_no: string; year: number; fund: string; cap: string }>(
    `WITH t AS (SELECT psn, year, cap FROM unnest($1::text[], $2::int[], $3::numeric[]) AS u(psn, year, cap)),
          y AS (
            SELECT t.psn, t.year,
                   (SELECT coalesce(sum(fund), 0) FROM journal_settlement j
                     WHERE j.psn_no = t.psn AND j.settle_date >= make_date(t.year, 1, 1) AND j.settle_date < make_date(t.year + 1, 1, 1)) AS fund,
                   coalesce(t.cap, (SELECT ((record->>'result_json')::jsonb #>> '{cap,limit}')::numeric FROM journal_settlement j
                     WHERE j.psn_no = t.psn AND j.kind = 'sale' AND j.settle_date >= make_date(t.year, 1, 1) AND j.settle_date < make_date(t.year + 1, 1, 1)
                     ORDER BY received_at DESC LIMIT 1)) AS cap
              FROM t)
     INSERT INTO pool_flags (psn_no, year, fund, cap)
     SELECT psn, year, fund, cap FROM y WHERE cap IS NOT NULL AND fund > cap
     ON CONFLICT (psn_no, year) DO UPDATE SET fund = excluded.fund, cap = excluded.cap, flagged_at = now()
     RETURNING psn_no, year, fund::text AS fund, cap::text AS cap`,
    [psns, ys, t.map((y) => y.cap)],
  );
  return r.rows.map((x) => ({ psnNo: x.psn_no, year: x.year, fund: x.fund, cap: x.cap })).sort((a, b) => a.year - b.year || a.psnNo.localeCompare(b.psnNo));
}

/** The cap limit a sale's stored result names, or null when it names none a price could be. */
function capQuoted(resultJson: string): string | null {
  try {
    const limit = (JSON.parse(resultJson) as { cap?: { limit?: unknown } } | null)?.cap?.limit;
    return typeof limit === 'string' && /^\d{1,12}(\.\d{1,2})?$/.test(limit) ? limit : null;
  } catch {
    return null;
  }
}

export async function listPoolFlags(pool: HubPool): Promise<{ psn_no: string; year: number; fund: string; cap: string }[]> {
  return (await pool.query('SELECT psn_no, year, fund::text AS fund, cap::text AS cap FROM pool_flags ORDER BY year, psn_no')).rows;
}

/** Claims trace codes for a sale; a code another sale already holds is refused, naming its holder. */
export async function claimTraceCodes(pool: HubPool, counterId: string, settlementId: string, codes: readonly string[]) {
  const r = await pool.query<{ code: string }>(
    `INSERT INTO trace_codes (code, counter_id, settlement_id) SELECT unnest($1::text[]), $2, $3 ON CONFLICT (code) DO NOTHING RETURNING code`,
    [codes, counterId, settlementId],
  );
  const claimed = new Set(r.rows.map((x) => x.code));
  const others = codes.filter((c) => !claimed.has(c));
  const holders = others.length
    ? (await pool.query<{ code: string; counter_id: string; settlement_id: string }>('SELECT code, counter_id, settlement_id FROM trace_codes WHERE code = ANY($1::text[])', [others])).rows
    : [];
  // A retry of the same sale's own claim is not a conflict.
  const mine = holders.filter((h) => h.settlement_id === settlementId && h.counter_id === counterId).map((h) => h.code);
  return {
    claimed: [...claimed, ...mine],
    refused: holders.filter((h) => !(h.settlement_id === settlementId && h.counter_id === counterId)).map((h) => ({ code: h.code, counterId: h.counter_id, settlementId: h.settlement_id })),
  };
}

/** Puts roster rows at the hub; a row whose content changed gets a new version, so counters pull it again. */
export async function upsertRoster(pool: HubPool, rows: readonly HubRosterRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await pool.query(
    `INSERT INTO roster (psn_no, content_hash, row)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
     ON CONFLICT (psn_no) DO UPDATE SET content_hash = excluded.content_hash, row = excluded.row, version = nextval('roster_version')
       WHERE roster.content_hash <> excluded.content_hash`,
    [rows.map((x) => x.psn_no), rows.map((x) => x.content_hash), rows.map((x) => JSON.stringify(x))],
  );
  return r.rowCount ?? 0;
}

/** Roster rows changed after a version cursor, oldest change first. */
export async function rosterAfter(pool: HubPool, after: number, limit: number): Promise<{ rows: unknown[]; cursor: number }> {
  const r = await pool.query<{ version: string; row: unknown }>('SELECT version, row FROM roster WHERE version > $1 ORDER BY version LIMIT $2', [after, limit]);
  const last = r.rows[r.rows.length - 1];
  return { rows: r.rows.map((x) => x.row), cursor: last ? Number(last.version) : after };
}

/**
 * The same page as `rosterAfter`, as JSON text made by PostgreSQL (each row's jsonb as text, joined):
 * the hub hands a million-patient roster down without parsing and re-serialising every row.
 */
export async function rosterPageJson(pool: HubPool, after: number, limit: number): Promise<{ rowsJson: string; count: number; cursor: number }> {
  const r = await pool.query<{ version: string; row: string }>('SELECT version, row::text AS row FROM roster WHERE version > $1 ORDER BY version LIMIT $2', [after, limit]);
  const last = r.rows[r.rows.length - 1];
  return { rowsJson: `[${r.rows.map((x) => x.row).join(',')}]`, count: r.rows.length, cursor: last ? Number(last.version) : after };
}

/** The journal the hub holds for one counter, in the counter's order (for audits and tests). */
export async function journalOfCounter(pool: HubPool, counterId: string): Promise<{ settlement: HubSettlement; lines: HubLine[] }[]> {
  const s = await pool.query<{ id: string; record: HubSettlement }>('SELECT id, record FROM journal_settlement WHERE counter_id = $1 ORDER BY counter_seq', [counterId]);
  const l = await pool.query<{ settlement_id: string; line: HubLine }>(
    'SELECT l.settlement_id, l.line FROM journal_line l JOIN journal_settlement s ON s.id = l.settlement_id WHERE s.counter_id = $1 ORDER BY l.settlement_id, l.line_no',
    [counterId],
  );
  const lines = new Map<string, HubLine[]>();
  for (const x of l.rows) (lines.get(x.settlement_id) ?? lines.set(x.settlement_id, []).get(x.settlement_id)!).push(x.line);
  return s.rows.map((x) => ({ settlement: x.record, lines: lines.get(x.id) ?? [] }));
}

/**
 * The records a month's reports read: every record dated in the month, and the returns and
 * reversals against them whenever dated (a refund counts against the month of its sale).
 */
export async function journalForPeriod(pool: HubPool, from: string, to: string, institutionCode?: string): Promise<{ settlement: HubSettlement; lines: HubLine[] }[]> {
  const s = await pool.query<{ id: string; record: HubSettlement }>(
    `WITH period AS (SELECT id FROM journal_settlement WHERE settle_date BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR institution_code = $3))
     SELECT id, record FROM journal_settlement
      WHERE id IN (SELECT id FROM period) OR original_id IN (SELECT id FROM period)
      ORDER BY counter_id, counter_seq`,
    [from, to, institutionCode ?? null],
  );
  const ids = s.rows.map((r) => r.id);
  const l = ids.length
    ? await pool.query<{ settlement_id: string; line: HubLine }>('SELECT settlement_id, line FROM journal_line WHERE settlement_id = ANY($1::text[]) ORDER BY settlement_id, line_no', [ids])
    : { rows: [] };
  const lines = new Map<string, HubLine[]>();
  for (const x of l.rows) (lines.get(x.settlement_id) ?? lines.set(x.settlement_id, []).get(x.settlement_id)!).push(x.line);
  return s.rows.map((x) => ({ settlement: x.record, lines: lines.get(x.id) ?? [] }));
}

/** The member institutions that settled in a period, with the name on their newest record. */
export async function institutionsInPeriod(pool: HubPool, from: string, to: string): Promise<{ code: string; name: string }[]> {
  const r = await pool.query<{ code: string; name: string }>(
    `SELECT DISTINCT ON (institution_code) institution_code AS code, record->>'institution_name' AS name
       FROM journal_settlement WHERE settle_date BETWEEN $1::date AND $2::date ORDER BY institution_code, received_at DESC`,
    [from, to],
  );
  return r.rows;
}

/** Roster rows in pages (for reports that count the insured). */
export async function* rosterPages(pool: HubPool, pageSize = 20_000): AsyncGenerator<HubRosterRow[]> {
  let after = 0;
  for (;;) {
    const page = await rosterAfter(pool, after, pageSize);
    if (page.rows.length === 0) return;
    yield page.rows as HubRosterRow[];
    after = page.cursor;
  }
}
