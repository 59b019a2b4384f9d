// The crash test: counter processes settle and upload against the simulator with faults on and
// are SIGKILLed at random points, again and again. Afterwards every settlement the counter
// committed must stand on the platform exactly once (or, if returned in full, not at all),
// nothing the counter did not commit may be there, the totals must agree to the fen, and the
// journal's hash chain must verify.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Decimal, fen } from '../../core/money/decimal.ts';
import { openDatabase } from '../../core/store/db.ts';
import { acquireLock } from '../../core/store/lock.ts';
import { listSettlements, recordsAgainst } from '../../core/store/journal.ts';
import { statusCounts, getOutboxBySettlement } from '../../core/store/outbox.ts';
import { standingSettlements, allSimSettlements } from '../../core/store/simulator.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';
import { Uploader, reviveDead } from '../../core/outbox/uploader.ts';
import { seeded } from '../../core/simulator/server.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { tempDir } from '../helpers/settlement.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_PLATFORM_CONFIG, PLATFORM_CONFIG_ENV, parsePlatformConfig, type PlatformConfig } from '../../core/platform/config.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

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
  simStats: Record<string, number>;
  ms: number;
}


/**
 * resolution 'query': an unknown outcome is resolved by asking the platform (then 2601 if it never
 * arrived); 'reverse': the region has no query transaction, so every unknown outcome is 冲正'd
 * with 2601 and resent under a new msgid (committed messages really get reversed).
 */
export async function runCrash(o: { kills: number; seed?: number; log?: (l: string) => void; maxLifeMs?: number; resolution?: 'query' | 'reverse' }): Promise<CrashReport> {
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

async function crashRun(o: { kills: number; seed?: number; log?: (l: string) => void; maxLifeMs?: number }, started: number, config: PlatformConfig | undefined): Promise<CrashReport> {
  const log = o.log ?? (() => {});
  const rand = seeded(o.seed ?? 20241124);
  const dataDir = tempDir('lbc-crash-');
  const sim = await startSimulator({
    dataDir: tempDir('lbc-crash-sim-'),
    faults: { latencyMs: 1, holdMs: 250, seed: o.seed ?? 7, rates: { dropReply: 0.05, timeoutAfterCommit: 0.02, error5xx: 0.04, truncated: 0.02, malformed: 0.02, duplicateReply: 0.02 } },
  });
  try {
    for (let k = 0; k < o.kills; k++) {
      const mode = rand() < 0.2 ? 'upload' : 'settle';
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dataDir, sim.url, String(Math.floor(rand() * 2 ** 31)), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const ready = await Promise.race([
        new Promise<boolean>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(true))),
        exited.then(() => false),
      ]);
      if (!ready) throw new Error(`crash worker failed to start: ${stderr}`);
      // Kill at a random point of its life: mid-settle, mid-send, mid-apply.
      await new Promise((r) => setTimeout(r, Math.floor(rand() * (o.maxLifeMs ?? 400))));
      child.kill('SIGKILL');
      await exited;
      if (stderr.trim() && !/ExperimentalWarning/.test(stderr)) log(`worker stderr: ${stderr.trim().slice(0, 500)}`);
      if ((k + 1) % 25 === 0) log(`crash: ${k + 1} kills so far, outbox ${JSON.stringify(countsOf(dataDir))}`);
    }
    // Recovery: the next start (faults off) drains everything; backoffs are skipped by a clock far ahead.
    sim.setFaults({});
    const lock = acquireLock(dataDir, 'crash-verify');
    const db = openDatabase(dataDir);
    try {
      reviveDead(db);
      let offset = 0;
      const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, now: () => Date.now() + offset, config });
      try {
        for (let i = 0; i < 200; i++) {
          offset += 3600_000;
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
      for (const [id, n] of seen) if (!expected.has(id)) phantom += n;
      for (const s of allSimSettlements(sim.db)) if (!known.has(s.medins_setl_id)) phantom++;
      const platformTotal = standing.reduce((a, p) => a.plus(new Decimal(p.medfee_sumamt)), new Decimal(0));
      const platformFund = standing.reduce((a, p) => a.plus(new Decimal(p.fund_pay_sumamt)), new Decimal(0));
      const chain = verifyJournal(db);
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
    simStats: stats,
    ms: a.ms + b.ms,
  };
}

export function crashLine(r: CrashReport): string {
  return `crash: ${r.kills} kills, lost ${r.lost}, duplicated ${r.duplicated}`;
}

export function crashPassed(r: CrashReport): boolean {
  return r.lost === 0 && r.duplicated === 0 && r.phantom === 0 && r.totalsAgree && r.chainOk && r.settlements > 0;
}
