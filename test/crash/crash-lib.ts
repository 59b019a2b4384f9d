// The crash test: counter processes settle and upload against the simulator with faults on and
// are SIGKILLed at random points, again and again — either a worker calling settle() itself, or
// the real counter (service + loopback HTTP server) with this process as its HTTP caller.
// Afterwards:
//   - every answer a caller got is checked against the journal: told "committed" must be there
//     (else a ghost), told "refused" must not;
//   - every settle message the simulator received is counted per settlement: more than one that
//     took effect (not undone by 2601) is a duplicate delivery, even when the platform stored the
//     settlement only once;
//   - every settlement the counter committed stands on the platform exactly once (or, if
//     returned in full, not at all), nothing else is there, totals agree to the fen, and the
//     journal verifies (hash chain and MACs).
// LBC_TEST_FAULT (core/config/test-fault.ts) is passed to the counter processes only, so the
// checker can be shown to fail on a double send and on a ghost commit.
import { spawn, type ChildProcess } from 'node:child_process';
import { v7 as uuidv7 } from 'uuid';
import { fileURLToPath } from 'node:url';
import { Decimal, fen } from '../../core/money/decimal.ts';
import { openDatabase } from '../../core/store/db.ts';
import { acquireLock } from '../../core/store/lock.ts';
import { getSettlement, getSettlementByRequestId, listSettlements, recordsAgainst } from '../../core/store/journal.ts';
import { statusCounts, getOutboxBySettlement } from '../../core/store/outbox.ts';
import { standingSettlements, allSimSettlements, settleDeliveries } from '../../core/store/simulator.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { TEST_FAULT_ENV, type TestFault } from '../../core/config/test-fault.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';
import { Uploader, reviveDead } from '../../core/outbox/uploader.ts';
import { seeded } from '../../core/simulator/server.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { tempDir } from '../helpers/settlement.ts';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_PLATFORM_CONFIG, PLATFORM_CONFIG_ENV, parsePlatformConfig, type PlatformConfig } from '../../core/platform/config.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const HTTP_WORKER = fileURLToPath(new URL('./http-worker.ts', import.meta.url));

/** What one caller was told about one settle (or reversal) call. */
export interface Told {
  requestId: string | null;
  told: 'committed' | 'refused' | 'unknown';
  id?: string;
  code?: string;
}

export interface CrashReport {
  kills: number;
  settlements: number;
  records: number;
  standing: number;
  expected: number;
  lost: number;
  duplicated: number;
  phantom: number;
  totalsAgree: boolean;
  local: { total: string; fund: string };
  platform: { total: string; fund: string };
  chainOk: boolean;
  /** Answers the callers got: committed, refused, and calls cut off by the kill (no answer). */
  told: { committed: number; refused: number; unknown: number };
  /** Told committed, but not in the journal. */
  ghosts: number;
  /** Told refused, but in the journal. */
  toldWrong: number;
  /** Settle messages the simulator received (each msgid once) and their repeated arrivals. */
  deliveries: number;
  repeats: number;
  /** Settlements delivered under more than one msgid that took effect (each extra one counts). */
  duplicateDeliveries: number;
  /** Settle messages for a settlement id the journal does not have. */
  strayDeliveries: number;
  simStats: Record<string, number>;
  ms: number;
}

export interface CrashOptions {
  kills: number;
  seed?: number;
  log?: (l: string) => void;
  maxLifeMs?: number;
  resolution?: 'query' | 'reverse';
  /** 'worker': a process calling settle() directly; 'http': the real counter, settled over HTTP from here. */
  via?: 'worker' | 'http';
  /** A test-only fault for the counter processes (the checker must then fail). */
  fault?: TestFault;
}


/**
 * resolution 'query': an unknown outcome is resolved by asking the platform (then 2601 if it never
 * arrived); 'reverse': the region has no query transaction, so every unknown outcome is 冲正'd
 * with 2601 and resent under a new msgid (committed messages really get reversed).
 */
export async function runCrash(o: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const previousConfig = process.env[PLATFORM_CONFIG_ENV];
  let config: PlatformConfig | undefined;
  if (o.resolution === 'reverse') {
    const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
    raw.defaults.ambiguity.query = null;
    const file = join(tempDir('lbc-crash-config-'), 'platform.json');
    writeFileSync(file, JSON.stringify(raw));
    process.env[PLATFORM_CONFIG_ENV] = file; // inherited by the workers
    config = parsePlatformConfig(raw, file);
  }
  try {
    return await crashRun(o, started, config);
  } finally {
    if (previousConfig === undefined) delete process.env[PLATFORM_CONFIG_ENV];
    else process.env[PLATFORM_CONFIG_ENV] = previousConfig;
  }
}

/** Starts a counter process and waits for its "ready" line (the rest of the line is returned). */
async function startChild(args: string[], fault: TestFault | undefined): Promise<{ child: ChildProcess; readyLine: string; exited: Promise<number | null>; stderr: () => string }> {
  const env = { ...process.env };
  if (fault) env[TEST_FAULT_ENV] = fault;
  else delete env[TEST_FAULT_ENV];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const readyLine = await Promise.race([
    new Promise<string>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /ready([^\n]*)\n/.exec(stdout);
        if (m) resolve(m[1]!.trim());
      }),
    ),
    exited.then(() => null),
  ]);
  if (readyLine === null) throw new Error(`crash worker failed to start: ${stderr}`);
  return { child, readyLine, exited, stderr: () => stderr };
}

/**
 * The HTTP caller: signs in, then settles one sale after another over the plugin API until the
 * counter dies, remembering every answer (a call cut off by the kill got none).
 */
async function settleOverHttp(url: string, token: string, told: Told[], rand: () => number, stop: Promise<unknown>, onSignedIn: () => void): Promise<void> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const post = async (method: string, body: unknown) => {
    const res = await fetch(`${url}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { session?: string; id?: string; error?: { code: string } } };
  };
  let signedIn: Awaited<ReturnType<typeof post>>;
  try {
    signedIn = await post('signIn', { operatorId: 'yaoshi', pin: '1234' });
  } catch (e) {
    if (process.env.CRASH_DEBUG) console.error('sign-in', e);
    return; // killed before it answered
  }
  if (!signedIn.body.session) throw new Error(`crash: sign-in refused: ${JSON.stringify(signedIn.body)}`);
  const session = signedIn.body.session;
  onSignedIn();
  while (!stopped) {
    const requestId = uuidv7();
    const lines = [{ code: drugBarcode(1), quantity: String(1 + Math.floor(rand() * 3)) }, ...(rand() < 0.5 ? [{ code: drugBarcode(2), quantity: '1' }] : [])];
    try {
      const r = await post('settle', { session, requestId, patient: FIXTURE_REGIONS.lincang.eligible, lines });
      if (r.status === 200 && r.body.id) told.push({ requestId, told: 'committed', id: r.body.id });
      else if (r.status === 400 || r.status === 409) told.push({ requestId, told: 'refused', code: r.body.error?.code ?? String(r.status) });
      else told.push({ requestId, told: 'unknown', code: String(r.status) });
    } catch {
      // The connection died with the process: this caller was told nothing.
      told.push({ requestId, told: 'unknown' });
      return;
    }
  }
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** Resolves once the told file has grown past `before` (the worker's first answer), or the worker died, or after 20 s. */
async function firstAnswer(file: string, before: number, exited: Promise<unknown>): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const until = Date.now() + 20_000;
  while (!dead && sizeOf(file) <= before && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
}

function readTold(file: string): Told[] {
  if (!existsSync(file)) return [];
  const out: Told[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Told);
    } catch {
      // A line cut by the kill was never a complete answer.
    }
  }
  return out;
}

async function crashRun(o: CrashOptions, started: number, config: PlatformConfig | undefined): Promise<CrashReport> {
  const log = o.log ?? (() => {});
  const rand = seeded(o.seed ?? 20241124);
  const via = o.via ?? 'worker';
  const dataDir = tempDir('lbc-crash-');
  const toldFile = join(dataDir, 'told.jsonl');
  const httpTold: Told[] = [];
  const sim = await startSimulator({
    dataDir: tempDir('lbc-crash-sim-'),
    faults: { latencyMs: 1, holdMs: 250, seed: o.seed ?? 7, rates: { dropReply: 0.05, timeoutAfterCommit: 0.02, error5xx: 0.04, truncated: 0.02, malformed: 0.02, duplicateReply: 0.02 } },
  });
  try {
    if (via === 'http') {
      const seedDb = openDatabase(dataDir);
      seedFixture(seedDb, 'lincang', sim.url);
      seedDb.close();
    }
    for (let k = 0; k < o.kills; k++) {
      // A settle through the service takes longer than a direct one (the first ~100 ms): give the HTTP counter longer to be caught mid-settle.
      const life = Math.floor(rand() * (o.maxLifeMs ?? (via === 'http' ? 1000 : 400)));
      let w: Awaited<ReturnType<typeof startChild>>;
      let caller: Promise<void> = Promise.resolve();
      if (via === 'http') {
        w = await startChild([HTTP_WORKER, dataDir, sim.url], o.fault);
        const [url, token] = w.readyLine.split(' ');
        let signedIn!: () => void;
        const serving = new Promise<void>((r) => (signedIn = r));
        caller = settleOverHttp(url!, token!, httpTold, rand, w.exited, signedIn);
        // The life is counted from the first answer: before it the counter has settled nothing that could be caught.
        await Promise.race([serving, caller]);
      } else {
        const mode = rand() < 0.2 ? 'upload' : 'settle';
        const toldBefore = sizeOf(toldFile);
        w = await startChild([WORKER, dataDir, sim.url, String(Math.floor(rand() * 2 ** 31)), mode, toldFile], o.fault);
        // A settling worker's life is counted from its first answer, as the HTTP caller's is: on a loaded
        // machine its first settle can take longer than a whole life, and a run that commits nothing proves nothing.
        if (mode === 'settle') await firstAnswer(toldFile, toldBefore, w.exited);
      }
      // Kill at a random point of its life: mid-settle, mid-send, mid-apply.
      await new Promise((r) => setTimeout(r, life));
      w.child.kill('SIGKILL');
      await w.exited;
      await caller;
      const stderr = w.stderr();
      if (stderr.trim() && !/ExperimentalWarning/.test(stderr)) log(`worker stderr: ${stderr.trim().slice(0, 500)}`);
      if ((k + 1) % 25 === 0) log(`crash: ${k + 1} kills so far, outbox ${JSON.stringify(countsOf(dataDir))}`);
    }
    // Recovery: the next start (faults off) drains everything; backoffs are skipped by a clock far ahead.
    sim.setFaults({});
    const lock = acquireLock(dataDir, 'crash-verify');
    const db = openDatabase(dataDir);
    try {
      let offset = 0;
      const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, now: () => Date.now() + offset, config });
      try {
        for (let i = 0; i < 200; i++) {
          offset += 3600_000;
          // A row the kills drove to 'dead' (its failures counted across every life) is what the operator
          // retries; so does recovery, every round: one slow answer under load must not end it as lost.
          reviveDead(db);
          await up.drainOnce();
          const c = statusCounts(db);
          if (c.pending + c.sending + c.ambiguous + c.dead === 0) break;
        }
      } finally {
        up.close();
      }
      const counts = statusCounts(db);
      // What should stand on the platform: per sale, the last record of its chain unless that was a full reversal.
      const sales = listSettlements(db).filter((s) => s.kind === 'sale');
      const expected = new Map<string, { total: string; fund: string }>();
      let localTotal = new Decimal(0);
      let localFund = new Decimal(0);
      for (const s of sales) {
        const chain = [s, ...recordsAgainst(db, s.id)];
        for (const r of chain) {
          localTotal = localTotal.plus(new Decimal(r.total));
          localFund = localFund.plus(new Decimal(r.fund));
        }
        const last = chain[chain.length - 1]!;
        if (last.kind !== 'reversal') expected.set(last.id, { total: last.total, fund: last.fund });
        if (getOutboxBySettlement(db, last.id)?.status === 'rejected') throw new Error(`unexpected rejection of ${last.receipt_no}`);
      }
      const standing = standingSettlements(sim.db);
      const seen = new Map<string, number>();
      for (const p of standing) seen.set(p.medins_setl_id, (seen.get(p.medins_setl_id) ?? 0) + 1);
      let lost = 0;
      let duplicated = 0;
      let phantom = 0;
      for (const id of expected.keys()) {
        const n = seen.get(id) ?? 0;
        if (n === 0) lost++;
        if (n > 1) duplicated += n - 1;
      }
      const known = new Set(listSettlements(db).map((r) => r.id));
      for (const [id, n] of seen) {
        if (expected.has(id)) continue;
        phantom += n;
        const r = getSettlement(db, id);
        log(`phantom: standing on the platform, not expected: ${id} (${r ? `${r.kind} ${r.receipt_no}, outbox ${getOutboxBySettlement(db, id)?.status}, later records ${recordsAgainst(db, r.original_id ?? r.id).map((x) => x.kind).join(',')}` : 'not in the journal'})`);
      }
      for (const s of allSimSettlements(sim.db)) {
        if (known.has(s.medins_setl_id)) continue;
        phantom++;
        log(`phantom: platform settlement ${s.setl_id} for ${s.medins_setl_id}, not in the journal`);
      }
      const platformTotal = standing.reduce((a, p) => a.plus(new Decimal(p.medfee_sumamt)), new Decimal(0));
      const platformFund = standing.reduce((a, p) => a.plus(new Decimal(p.fund_pay_sumamt)), new Decimal(0));
      const chain = verifyJournal(db);
      // What every caller was told, against the journal.
      const told = via === 'http' ? httpTold : readTold(toldFile);
      let ghosts = 0;
      let toldWrong = 0;
      for (const t of told) {
        if (t.told === 'committed' && (!t.id || !getSettlement(db, t.id))) ghosts++;
        if (t.told === 'refused' && t.requestId && getSettlementByRequestId(db, t.requestId)) toldWrong++;
      }
      // Every settle message the platform received, per settlement: one may take effect; others
      // must have been undone by 2601 (reversed) or refused as never-arrived (tombstone).
      const deliveries = settleDeliveries(sim.db);
      const effective = new Map<string, number>();
      let strayDeliveries = 0;
      for (const d of deliveries) {
        // A tombstone is a msgid 冲正'd before it arrived: a delivery only if it turned up later (then refused).
        if (d.status === 'tombstone') continue;
        if (!d.medinsSetlId || !known.has(d.medinsSetlId)) strayDeliveries++;
        if (d.status === 'done' && d.medinsSetlId) effective.set(d.medinsSetlId, (effective.get(d.medinsSetlId) ?? 0) + 1);
      }
      let duplicateDeliveries = 0;
      for (const n of effective.values()) if (n > 1) duplicateDeliveries += n - 1;
      const report: CrashReport = {
        kills: o.kills,
        settlements: sales.length,
        records: listSettlements(db).length,
        standing: standing.length,
        expected: expected.size,
        lost,
        duplicated,
        phantom,
        totalsAgree: platformTotal.equals(localTotal) && platformFund.equals(localFund),
        local: { total: fen(localTotal), fund: fen(localFund) },
        platform: { total: fen(platformTotal), fund: fen(platformFund) },
        chainOk: chain.ok,
        told: { committed: told.filter((t) => t.told === 'committed').length, refused: told.filter((t) => t.told === 'refused').length, unknown: told.filter((t) => t.told === 'unknown').length },
        ghosts,
        toldWrong,
        deliveries: deliveries.filter((d) => d.status !== 'tombstone').length,
        repeats: deliveries.reduce((a, d) => a + d.repeats, 0),
        duplicateDeliveries,
        strayDeliveries,
        simStats: { ...sim.stats(), ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [`outbox_${k}`, v])) },
        ms: Date.now() - started,
      };
      return report;
    } finally {
      db.close();
      lock.release();
    }
  } finally {
    await sim.close();
  }
}

function countsOf(dataDir: string): Record<string, number> {
  try {
    const db = openDatabase(dataDir, { readonly: true });
    try {
      return statusCounts(db);
    } finally {
      db.close();
    }
  } catch {
    return {};
  }
}

/** Two reports as one (the query run and the 2601 run). */
export function combine(a: CrashReport, b: CrashReport): CrashReport {
  const add = (x: string, y: string) => fen(new Decimal(x).plus(new Decimal(y)));
  const stats: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a.simStats), ...Object.keys(b.simStats)])) stats[k] = (a.simStats[k] ?? 0) + (b.simStats[k] ?? 0);
  return {
    kills: a.kills + b.kills,
    settlements: a.settlements + b.settlements,
    records: a.records + b.records,
    standing: a.standing + b.standing,
    expected: a.expected + b.expected,
    lost: a.lost + b.lost,
    duplicated: a.duplicated + b.duplicated,
    phantom: a.phantom + b.phantom,
    totalsAgree: a.totalsAgree && b.totalsAgree,
    local: { total: add(a.local.total, b.local.total), fund: add(a.local.fund, b.local.fund) },
    platform: { total: add(a.platform.total, b.platform.total), fund: add(a.platform.fund, b.platform.fund) },
    chainOk: a.chainOk && b.chainOk,
    told: { committed: a.told.committed + b.told.committed, refused: a.told.refused + b.told.refused, unknown: a.told.unknown + b.told.unknown },
    ghosts: a.ghosts + b.ghosts,
    toldWrong: a.toldWrong + b.toldWrong,
    deliveries: a.deliveries + b.deliveries,
    repeats: a.repeats + b.repeats,
    duplicateDeliveries: a.duplicateDeliveries + b.duplicateDeliveries,
    strayDeliveries: a.strayDeliveries + b.strayDeliveries,
    simStats: stats,
    ms: a.ms + b.ms,
  };
}

/** Any number of reports as one. */
export function combineAll(reports: CrashReport[]): CrashReport {
  return reports.slice(1).reduce(combine, reports[0]!);
}

export function crashLine(r: CrashReport): string {
  return `crash: ${r.kills} kills, ${r.settlements} settlements, lost ${r.lost}, duplicated ${r.duplicated + r.duplicateDeliveries}, ghosts ${r.ghosts}`;
}

/** Every way the run can fail, in words (empty: passed). */
export function crashFailures(r: CrashReport): string[] {
  const f: string[] = [];
  if (r.lost) f.push(`${r.lost} committed settlement(s) not on the platform`);
  if (r.duplicated) f.push(`${r.duplicated} settlement(s) standing more than once`);
  if (r.duplicateDeliveries) f.push(`${r.duplicateDeliveries} extra delivery(ies) of a settlement under another msgid that took effect`);
  if (r.phantom) f.push(`${r.phantom} platform settlement(s) the counter never committed`);
  if (r.strayDeliveries) f.push(`${r.strayDeliveries} settle message(s) for a settlement the journal does not have`);
  if (r.ghosts) f.push(`${r.ghosts} caller(s) told committed, but the journal has no such record`);
  if (r.toldWrong) f.push(`${r.toldWrong} caller(s) told refused, but the journal has the record`);
  if (!r.totalsAgree) f.push(`totals disagree: local ${JSON.stringify(r.local)}, platform ${JSON.stringify(r.platform)}`);
  if (!r.chainOk) f.push('journal does not verify');
  if (r.settlements === 0 || r.told.committed === 0) f.push('nothing was settled (the run proves nothing)');
  return f;
}

export function crashPassed(r: CrashReport): boolean {
  return crashFailures(r).length === 0;
}
