// The sale pipeline (core/sale) at the counter, each figure beside a physical baseline measured
// in the same run:
// - SQL statements per 3-line settle (and per quote), counted on the connection;
// - settle through the plugin API over loopback, p50/p99, beside a bare node:http round trip of
//   the same body sizes plus one better-sqlite3 transaction (synchronous=FULL) writing as many rows;
// - the same while the outbox drains to the platform simulator (its own process) in the background;
// - quote p99 while 4 settles run concurrently through the plugin API.
import { rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase } from '../../core/store/db.ts';
import { startCounter, type RunningCounter } from '../../core/app/counter.ts';
import { CounterService } from '../../core/service/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { statusCounts } from '../../core/store/outbox.ts';
import { countSql } from '../../test/helpers/count-sql.ts';
import { tempDir } from '../../test/helpers/settlement.ts';
import { startSimulatorProcess } from './outbox.ts';
import type { BenchSuite } from '../harness.ts';
import { percentile, round } from '../harness.ts';

const L = FIXTURE_REGIONS.lincang;
const LINES = [1, 2, 3].map((n) => ({ code: drugBarcode(n), quantity: '1' }));
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** One POST on a keep-alive connection; resolves with status, body and the elapsed milliseconds. */
function post(url: string, path: string, body: string, token: string): Promise<{ status: number; text: string; ms: number }> {
  const u = new URL(path, url);
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function counterDir(endpoint: string | null = null): string {
  const dir = tempDir('lbc-bench-sale-');
  const db = openDatabase(dir);
  seedFixture(db, 'lincang', endpoint);
  db.close();
  return dir;
}

async function signIn(c: RunningCounter): Promise<string> {
  const r = await post(c.url, '/v1/signIn', JSON.stringify({ operatorId: 'yaoshi', pin: '1234' }), c.token);
  return (JSON.parse(r.text) as { session: string }).session;
}

const settleBody = (session: string) => JSON.stringify({ session, requestId: uuidv7(), patient: L.eligible, lines: LINES });

/** Settles n sales one after another through the plugin API; returns each latency. */
async function settleLoop(c: RunningCounter, session: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await post(c.url, '/v1/settle', settleBody(session), c.token);
    if (r.status !== 200) throw new Error(`settle failed ${r.status}: ${r.text.slice(0, 300)}`);
    out.push(r.ms);
  }
  return out;
}

/** The physical floor of a settle: a bare node:http round trip with the same body sizes, whose handler commits one synchronous=FULL transaction writing `rows` rows. */
async function baseline(n: number, requestBytes: number, responseBytes: number, rows: number): Promise<number[]> {
  const dir = tempDir('lbc-bench-base-');
  const db = new Database(join(dir, 'base.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, v TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const payload = 'x'.repeat(Math.max(1, Math.floor(responseBytes / rows)));
  const write = db.transaction((key: string) => {
    for (let i = 0; i < rows; i++) ins.run(key, payload);
  });
  const reply = 'y'.repeat(responseBytes);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      write(String(Buffer.concat(chunks).length));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
      res.end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const body = 'z'.repeat(requestBytes);
  const out: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const r = await post(url, '/', body, 'x');
    if (i >= 20) out.push(r.ms);
  }
  await new Promise<void>((r) => server.close(() => r()));
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

export const saleSuite: BenchSuite = {
  name: 'sale',
  async run({ quick, log }) {
    const n = quick ? 100 : 400;
    const out: Record<string, number> = {};
    const dirs: string[] = [];

    // 1. Statements per 3-line settle and quote (days of supply given: the supervision reads and the dispensing write count too).
    {
      const dir = counterDir();
      dirs.push(dir);
      const db = openDatabase(dir);
      const counter = countSql(db);
      const s = new CounterService({ db });
      const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
      const lines = LINES.map((l) => ({ ...l, days: 28 }));
      await s.call('settle', { session, requestId: uuidv7(), patient: L.eligible, lines: [{ code: drugBarcode(4), quantity: '1' }] });
      counter.reset();
      await s.call('quote', { patient: L.eligible, lines });
      out.sql_statements_per_quote_3_lines = counter.count;
      counter.reset();
      await s.call('settle', { session, requestId: uuidv7(), patient: L.eligible, lines });
      out.sql_statements_per_settle_3_lines = counter.count;
      db.close();
      log(`SQL statements: 3-line settle ${out.sql_statements_per_settle_3_lines} (target ≤ 20), 3-line quote ${out.sql_statements_per_quote_3_lines}`);
    }

    // 2. Settle through the plugin API over loopback, idle outbox (no endpoint).
    const dir = counterDir();
    dirs.push(dir);
    const c = await startCounter({ dataDir: dir, staticDir: null, uploader: null });
    let requestBytes = 0;
    let responseBytes = 0;
    try {
      const session = await signIn(c);
      const sample = await post(c.url, '/v1/settle', settleBody(session), c.token);
      requestBytes = Buffer.byteLength(settleBody(session));
      responseBytes = Buffer.byteLength(sample.text);
      await settleLoop(c, session, 30); // warm-up
      const t = await settleLoop(c, session, n);
      out.settle_http_p50_ms = round(percentile(t, 50), 3);
      out.settle_http_p99_ms = round(percentile(t, 99), 3);
      // 4. Quote p99 while 4 settles run concurrently through the plugin API.
      const quoteBody = JSON.stringify({ patient: L.eligible, lines: LINES });
      let running = true;
      const background = [0, 1, 2, 3].map(async () => {
        const lat: number[] = [];
        while (running) lat.push((await post(c.url, '/v1/settle', settleBody(session), c.token)).ms);
        return lat;
      });
      const quotes: number[] = [];
      for (let i = 0; i < n; i++) quotes.push((await post(c.url, '/v1/quote', quoteBody, c.token)).ms);
      running = false;
      const settles = (await Promise.all(background)).flat();
      out.quote_p50_under_4_settles_ms = round(percentile(quotes, 50), 3);
      out.quote_p99_under_4_settles_ms = round(percentile(quotes, 99), 3);
      out.settle_p50_under_4_settles_ms = round(percentile(settles, 50), 3);
    } finally {
      await c.close();
    }
    // The rows one such settle writes (a clinic: journal row, 3 lines, ledger, outbox row, 4 messages, msgid clock, who settled it).
    const rows = 1 + 3 + 1 + 1 + 4 + 1 + 1;
    const base = await baseline(n, requestBytes, responseBytes, rows);
    out.baseline_http_plus_txn_p50_ms = round(percentile(base, 50), 3);
    out.baseline_http_plus_txn_p99_ms = round(percentile(base, 99), 3);
    out.settle_http_p50_over_baseline = round(out.settle_http_p50_ms / out.baseline_http_plus_txn_p50_ms, 2);
    out.settle_http_p99_over_baseline = round(out.settle_http_p99_ms / out.baseline_http_plus_txn_p99_ms, 2);
    log(`settle via plugin API: p50 ${out.settle_http_p50_ms} ms, p99 ${out.settle_http_p99_ms} ms; baseline (bare http ${requestBytes}/${responseBytes} B + ${rows}-row FULL txn) p50 ${out.baseline_http_plus_txn_p50_ms} ms, p99 ${out.baseline_http_plus_txn_p99_ms} ms (target ≤ 3×)`);
    log(`quote under 4 concurrent settles: p50 ${out.quote_p50_under_4_settles_ms} ms, p99 ${out.quote_p99_under_4_settles_ms} ms (target p99 < 20 ms); settle p50 meanwhile ${out.settle_p50_under_4_settles_ms} ms`);

    // 3. The same settles while the outbox drains to the platform simulator in the background.
    const simDir = tempDir('lbc-bench-sale-sim-');
    dirs.push(simDir);
    const sim = await startSimulatorProcess(simDir);
    const drainDir = counterDir(sim.url);
    dirs.push(drainDir);
    const d = await startCounter({ dataDir: drainDir, staticDir: null, simulatorHints: true });
    try {
      const session = await signIn(d);
      await settleLoop(d, session, 30);
      const t = await settleLoop(d, session, n);
      out.settle_http_draining_p50_ms = round(percentile(t, 50), 3);
      out.settle_http_draining_p99_ms = round(percentile(t, 99), 3);
      const c2 = statusCounts(d.db);
      out.settle_http_draining_uploaded = c2.acked + c2.rejected;
      log(`settle via plugin API while the outbox drains: p50 ${out.settle_http_draining_p50_ms} ms, p99 ${out.settle_http_draining_p99_ms} ms (${out.settle_http_draining_uploaded} of ${n + 30} answered by the simulator meanwhile)`);
    } finally {
      await d.close();
      await sim.stop();
    }
    agent.destroy();
    for (const x of dirs) rmSync(x, { recursive: true, force: true });
    return out;
  },
};
