// The hub fault test: N counter processes settle and push concurrently against one hub (a real
// PostgreSQL) while counters and the hub are SIGKILLed at random. Afterwards: nothing lost or
// duplicated at the hub, and every counter's journal equals the hub's copy of it, record for record.
// `npm run test:hub-fault` (HUB_COUNTERS, HUB_KILLS, HUB_SALES); test/store/hub-fault.test.ts runs a small one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { openDatabase } from '../../core/store/db.ts';
import { settlementCount } from '../../core/store/journal.ts';
import { addCounter, journalOfCounter, migrateHub, openHubPool } from '../../core/store/hub-db.ts';
import { journalAfter } from '../../core/store/hub-sync.ts';
import { startPgCluster } from '../helpers/pg-cluster.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface HubFaultOptions {
  counters: number;
  kills: number;
  salesPerCounter: number;
  log?: (l: string) => void;
  /** Test-only: runs on the counters' data directories after they stop, before the check (to prove the check can fail). */
  beforeCheck?: (dirs: string[]) => void;
}
export interface HubFaultResult { kills: { counter: number; hub: number }; settled: number; atHub: number; mismatches: string[] }

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
  const cluster = startPgCluster();
  const work = mkdtempSync(join(tmpdir(), 'lbc-hubfault-'));
  const pool = openHubPool(cluster.url());
  const children = new Set<ChildProcess>();
  try {
    await migrateHub(pool);
    const port = await freePort();
    const hubUrl = `http://127.0.0.1:${port}`;
    const startHub = () => {
      const c = tsx('core/hub/main.ts', ['serve', '--pg', cluster.url(), '--port', String(port)]);
      children.add(c);
      c.on('exit', () => children.delete(c));
      return c;
    };
    let hub = startHub();
    const stopFile = join(work, 'stop');
    const counters = await Promise.all(Array.from({ length: o.counters }, async (_, i) => {
      const id = `k${i}${randomBytes(2).toString('hex')}`;
      const secret = randomBytes(18).toString('base64url');
      await addCounter(pool, { id, institutionCode: 'P53090100001', name: `柜台${i}`, secret });
      return { id, secret, dir: join(work, id), proc: null as ChildProcess | null, startedAt: 0, done: false };
    }));
    const startCounter = (c: (typeof counters)[number]) => {
      const p = tsx('test/hub-fault/worker.ts', [c.dir, hubUrl, c.id, c.secret, stopFile, String(o.salesPerCounter)]);
      c.proc = p;
      c.startedAt = Date.now();
      children.add(p);
      p.on('exit', (code) => {
        children.delete(p);
        if (code === 0) c.done = true;
      });
    };
    counters.forEach(startCounter);
    const kills = { counter: 0, hub: 0 };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(1500);
    while (kills.counter + kills.hub < o.kills) {
      await sleep(100 + Math.random() * 300);
      if (Math.random() < 0.2) {
        hub.kill('SIGKILL');
        kills.hub += 1;
        await new Promise((r) => hub.once('exit', r));
        hub = startHub();
      } else {
        // Only a counter that has had time to start (tsx compiles on start) is worth killing.
        const c = counters[Math.floor(Math.random() * counters.length)]!;
        if (!c.proc || c.proc.exitCode !== null || Date.now() - c.startedAt < 1500) continue;
        c.proc.kill('SIGKILL');
        kills.counter += 1;
        await new Promise((r) => c.proc!.once('exit', r));
        startCounter(c);
      }
      if ((kills.counter + kills.hub) % 20 === 0) log(`${kills.counter} counter kills, ${kills.hub} hub kills`);
    }
    // Let every counter reach its number of sales (a loaded machine starts processes slowly), then stop.
    const settledAt = (dir: string) => {
      try {
        const db = openDatabase(dir, { readonly: true });
        try { return settlementCount(db); } finally { db.close(); }
      } catch {
        return 0; // not created yet
      }
    };
    const fillDeadline = Date.now() + 120_000;
    while (Date.now() < fillDeadline && counters.some((c) => settledAt(c.dir) < o.salesPerCounter)) await sleep(250);
    writeFileSync(stopFile, '');
    const deadline = Date.now() + 180_000;
    while (!counters.every((c) => c.done) && Date.now() < deadline) await sleep(200);
    o.beforeCheck?.(counters.map((c) => c.dir));
    const mismatches: string[] = [];
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
    return { kills, settled, atHub, mismatches };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await pool.end();
    cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  const t0 = Date.now();
  const r = await runHubFault({ counters: env('HUB_COUNTERS', 20), kills: env('HUB_KILLS', 100), salesPerCounter: env('HUB_SALES', 40), log: (l) => console.log(l) });
  console.log(`${r.kills.counter} counter kills, ${r.kills.hub} hub kills; ${r.settled} records settled at ${env('HUB_COUNTERS', 20)} counters, ${r.atHub} at the hub; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const m of r.mismatches) console.log(`MISMATCH ${m}`);
  console.log(r.mismatches.length === 0 ? 'ok: nothing lost, nothing duplicated, every journal equals the hub copy' : 'FAILED');
  process.exit(r.mismatches.length === 0 ? 0 : 1);
}
