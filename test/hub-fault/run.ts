// The hub fault test: N counter processes settle through the counter service and sync concurrently
// against one hub (a real PostgreSQL) while counters and the hub are SIGKILLed at random. The
// counters share their patients, so the group's cap across counters is exercised. Afterwards:
// - nothing lost or duplicated at the hub, and every counter's journal equals the hub's copy of it;
// - with the hub up no patient's year exceeds the cap across counters. Precisely: a sale "settled
//   with the hub up" is one whose fund the hub held before the counter committed it (a granted
//   hold, kept at the hub under the sale's id). For every patient-year, the fund of those sales
//   together is within the cap. Sales settled while the hub was away (or did not answer in time)
//   are priced on the counter's own figure and may take the year over the cap: the hub then holds
//   a flag for that patient-year whose figures are exactly the year's total and cap, it never edits
//   a record, and it flags no year that is within its cap.
// The hub starts only once every counter has settled its first `offlineFirst` sales, all to one
// patient, each counter paying that patient's whole cap: the group is certainly over it, so the
// flagging is always exercised.
// `npm run test:hub-fault` (HUB_FAULT_COUNTERS, HUB_FAULT_KILLS, HUB_FAULT_SALES, HUB_FAULT_PATIENTS, HUB_FAULT_PACE_MS);
// test/store/hub-fault.test.ts runs a small one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { FIXTURE_REGIONS } from '../../core/app/fixture.ts';
import { Decimal } from '../../core/money/decimal.ts';
import { openDatabase } from '../../core/store/db.ts';
import { settlementCount } from '../../core/store/journal.ts';
import { addCounter, journalOfCounter, migrateHub, openHubPool, type HubPool } from '../../core/store/hub-db.ts';
import { journalAfter } from '../../core/store/hub-sync.ts';
import { startPgCluster } from '../helpers/pg-cluster.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface HubFaultOptions {
  counters: number;
  kills: number;
  salesPerCounter: number;
  /** Patients every counter shares (default: one per counter). */
  patients?: number;
  /** Sales each counter settles, to patient 0, before the hub first starts (default 3: a whole cap each). */
  offlineFirst?: number;
  /** Mean pause between a counter's sales, ms (default 200). */
  paceMs?: number;
  log?: (l: string) => void;
  /** Test-only: runs after the counters stop, before the check (to prove the check can fail). */
  beforeCheck?: (dirs: string[], pool: HubPool) => void | Promise<void>;
}
export interface PoolFigures {
  /** Patient-years with records at the hub. */
  patientYears: number;
  /** Patient-years whose total fund across the group is over the cap (all from sales settled with the hub away). */
  overCap: number;
  /** Patient-years the hub flagged. */
  flagged: number;
  /** Sales whose fund the hub held before they were committed (settled with the hub up). */
  heldSales: number;
  /** Sales that paid a fund without a hold (the hub away or not answering in time). */
  unheldPayingSales: number;
}
export interface HubFaultResult { kills: { counter: number; hub: number }; settled: number; atHub: number; pool: PoolFigures; mismatches: string[] }

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function tsx(script: string, args: string[]): ChildProcess {
  // Not as node:test children (NODE_TEST_CONTEXT would make them report to the runner instead of running).
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function runHubFault(o: HubFaultOptions): Promise<HubFaultResult> {
  const log = o.log ?? (() => undefined);
  const patients = o.patients ?? o.counters;
  const offlineFirst = Math.min(o.offlineFirst ?? 3, o.salesPerCounter);
  const cluster = startPgCluster();
  const work = mkdtempSync(join(tmpdir(), 'lbc-hubfault-'));
  const pool = openHubPool(cluster.url());
  const children = new Set<ChildProcess>();
  const failures: string[] = [];
  let finished = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await migrateHub(pool);
    const port = await freePort();
    const hubUrl = `http://127.0.0.1:${port}`;
    let hubKilling = false;
    const startHub = () => {
      const c = tsx('core/hub/main.ts', ['serve', '--pg', cluster.url(), '--port', String(port)]);
      hubKilling = false;
      children.add(c);
      c.on('exit', (code, signal) => {
        children.delete(c);
        if (!hubKilling && !finished) failures.push(`the hub process failed on its own (exit ${code ?? signal})`);
      });
      return c;
    };
    const stopFile = join(work, 'stop');
    const institutionCode = FIXTURE_REGIONS.lincang.institution.code;
    const counters = await Promise.all(Array.from({ length: o.counters }, async (_, i) => {
      const id = `k${i}${randomBytes(2).toString('hex')}`;
      const secret = randomBytes(18).toString('hex');
      await addCounter(pool, { id, institutionCode, name: `柜台${i}`, secret });
      return { id, secret, dir: join(work, id), proc: null as ChildProcess | null, startedAt: 0, done: false, killing: false };
    }));
    const startCounter = (c: (typeof counters)[number]) => {
      const p = tsx('test/hub-fault/worker.ts', [c.dir, hubUrl, c.id, c.secret, stopFile, String(o.salesPerCounter), String(patients), String(offlineFirst), String(o.paceMs ?? 200)]);
      c.proc = p;
      c.startedAt = Date.now();
      c.killing = false;
      children.add(p);
      p.on('exit', (code, signal) => {
        children.delete(p);
        if (code === 0) c.done = true;
        else if (!c.killing) {
          // A counter that fails by itself (not our SIGKILL) is a finding; it is restarted so the run completes.
          failures.push(`${c.id}: the counter process failed on its own (exit ${code ?? signal})`);
          if (failures.length < 10) startCounter(c);
        }
      });
    };
    const settledAt = (dir: string) => {
      try {
        const db = openDatabase(dir, { readonly: true });
        try { return settlementCount(db); } finally { db.close(); }
      } catch {
        return 0; // not created yet
      }
    };
    counters.forEach(startCounter);
    // The hub is away while every counter settles its first sales (bounded: a loaded machine starts processes slowly).
    const offlineDeadline = Date.now() + 120_000;
    while (Date.now() < offlineDeadline && counters.some((c) => settledAt(c.dir) < offlineFirst)) await sleep(200);
    let hub = startHub();
    log(`hub started after every counter settled ${offlineFirst} sale(s) on its own`);
    const kills = { counter: 0, hub: 0 };
    await sleep(1500);
    while (kills.counter + kills.hub < o.kills) {
      await sleep(100 + Math.random() * 300);
      if (Math.random() < 0.2) {
        hubKilling = true;
        hub.kill('SIGKILL');
        kills.hub += 1;
        await new Promise((r) => hub.once('exit', r));
        hub = startHub();
      } else {
        // Only a counter that has had time to start (tsx compiles on start) is worth killing.
        const c = counters[Math.floor(Math.random() * counters.length)]!;
        if (!c.proc || c.proc.exitCode !== null || c.proc.signalCode !== null || Date.now() - c.startedAt < 1500) continue;
        c.killing = true;
        const proc = c.proc;
        proc.kill('SIGKILL');
        kills.counter += 1;
        await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once('exit', r)));
        startCounter(c);
      }
      if ((kills.counter + kills.hub) % 20 === 0) log(`${kills.counter} counter kills, ${kills.hub} hub kills`);
    }
    // Let every counter reach its number of sales, then stop.
    const fillDeadline = Date.now() + 300_000;
    while (Date.now() < fillDeadline && counters.some((c) => settledAt(c.dir) < o.salesPerCounter)) await sleep(250);
    writeFileSync(stopFile, '');
    const deadline = Date.now() + 180_000;
    while (!counters.every((c) => c.done) && Date.now() < deadline) await sleep(200);
    await o.beforeCheck?.(counters.map((c) => c.dir), pool);
    const mismatches: string[] = [...failures];
    let settled = 0;
    let atHub = 0;
    for (const c of counters) {
      if (!c.done) mismatches.push(`${c.id}: did not finish pushing`);
      const db = openDatabase(c.dir, { readonly: true });
      const local = journalAfter(db, 0, 1_000_000);
      db.close();
      const remote = await journalOfCounter(pool, c.id);
      settled += local.length;
      atHub += remote.length;
      if (!isDeepStrictEqual(local, remote)) mismatches.push(`${c.id}: counter holds ${local.length} records, hub ${remote.length}, contents differ`);
    }
    const dup = await pool.query('SELECT count(*)::int AS n FROM (SELECT counter_id, counter_seq FROM journal_settlement GROUP BY 1, 2 HAVING count(*) > 1) d');
    if (dup.rows[0].n > 0) mismatches.push(`${dup.rows[0].n} duplicated records at the hub`);
    const figures = await checkPool(pool, mismatches);
    return { kills, settled, atHub, pool: figures, mismatches };
  } finally {
    finished = true;
    for (const c of children) c.kill('SIGKILL');
    await pool.end();
    cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The cap across counters, from the hub's own tables: per patient-year, the total fund, the fund
 * of the sales the hub held before they were committed, the cap the records were quoted against,
 * and the hub's flag. Appends what is wrong to `mismatches`.
 */
async function checkPool(pool: HubPool, mismatches: string[]): Promise<PoolFigures> {
  const years = await pool.query<{ psn_no: string; year: number; total: string; held: string; cap_min: string | null; cap_max: string | null; flag_fund: string | null; flag_cap: string | null; held_sales: number; unheld_paying: number }>(
    `WITH s AS (
       SELECT j.psn_no, extract(year FROM j.settle_date)::int AS year, j.fund, j.kind,
              EXISTS (SELECT 1 FROM pool_holds h WHERE h.sale_id = j.id AND h.counter_id = j.counter_id) AS held,
              ((j.record->>'result_json')::jsonb #>> '{cap,limit}')::numeric AS cap
         FROM journal_settlement j)
     SELECT s.psn_no, s.year, sum(s.fund)::text AS total, coalesce(sum(s.fund) FILTER (WHERE s.held), 0)::text AS held,
            min(s.cap) FILTER (WHERE s.kind = 'sale')::text AS cap_min, max(s.cap) FILTER (WHERE s.kind = 'sale')::text AS cap_max,
            f.fund::text AS flag_fund, f.cap::text AS flag_cap,
            count(*) FILTER (WHERE s.held)::int AS held_sales, count(*) FILTER (WHERE NOT s.held AND s.fund > 0)::int AS unheld_paying
       FROM s LEFT JOIN pool_flags f ON f.psn_no = s.psn_no AND f.year = s.year
      GROUP BY s.psn_no, s.year, f.fund, f.cap ORDER BY s.year, s.psn_no`,
  );
  const figures: PoolFigures = { patientYears: years.rows.length, overCap: 0, flagged: 0, heldSales: 0, unheldPayingSales: 0 };
  for (const y of years.rows) {
    const at = `${y.psn_no}/${y.year}`;
    figures.heldSales += y.held_sales;
    figures.unheldPayingSales += y.unheld_paying;
    if (y.flag_fund !== null) figures.flagged += 1;
    if (y.cap_min === null) continue;
    if (y.cap_min !== y.cap_max) mismatches.push(`${at}: the year's sales were quoted against different caps (${y.cap_min}, ${y.cap_max})`);
    const cap = new Decimal(y.cap_max!);
    const over = new Decimal(y.total).greaterThan(cap);
    if (over) figures.overCap += 1;
    if (new Decimal(y.held).greaterThan(cap)) mismatches.push(`${at}: the sales settled with the hub up paid ${y.held}, over the cap ${cap.toFixed(2)}`);
    if (over && y.flag_fund === null) mismatches.push(`${at}: ${y.total} paid across the group is over the cap ${cap.toFixed(2)} and not flagged`);
    else if (over && !(new Decimal(y.flag_fund!).equals(y.total) && new Decimal(y.flag_cap!).equals(cap))) mismatches.push(`${at}: the flag says ${y.flag_fund} of ${y.flag_cap}, the hub holds ${y.total} of ${cap.toFixed(2)}`);
    else if (!over && y.flag_fund !== null) mismatches.push(`${at}: flagged though ${y.total} is within the cap ${cap.toFixed(2)}`);
  }
  const stray = await pool.query<{ psn_no: string; year: number }>(
    `SELECT psn_no, year FROM pool_flags f WHERE NOT EXISTS (SELECT 1 FROM journal_settlement j WHERE j.psn_no = f.psn_no AND extract(year FROM j.settle_date) = f.year)`,
  );
  for (const f of stray.rows) mismatches.push(`${f.psn_no}/${f.year}: flagged with no record at the hub`);
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  const counters = env('HUB_FAULT_COUNTERS', 20);
  const t0 = Date.now();
  const r = await runHubFault({ counters, kills: env('HUB_FAULT_KILLS', 100), salesPerCounter: env('HUB_FAULT_SALES', 40), patients: env('HUB_FAULT_PATIENTS', counters), paceMs: env('HUB_FAULT_PACE_MS', 200), log: (l) => console.log(l) });
  console.log(`${r.kills.counter} counter kills, ${r.kills.hub} hub kills; ${r.settled} records settled at ${counters} counters, ${r.atHub} at the hub; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const p = r.pool;
  console.log(`${p.patientYears} patient-years; ${p.heldSales} sales held at the hub before commit, ${p.unheldPayingSales} paying sales settled without a hold; ${p.overCap} patient-year(s) over the cap, ${p.flagged} flagged`);
  for (const m of r.mismatches) console.log(`MISMATCH ${m}`);
  console.log(r.mismatches.length === 0 ? 'ok: nothing lost, nothing duplicated, every journal equals the hub copy, the held sales within every cap, every year over it flagged' : 'FAILED');
  process.exit(r.mismatches.length === 0 ? 0 : 1);
}
