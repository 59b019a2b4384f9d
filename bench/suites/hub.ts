// The hub on a throwaway PostgreSQL cluster, served by its own process on loopback:
// - ingest: 20 counters push journal records concurrently (pages of 500), settlements/s, beside a
//   bare unnest INSERT of the same rows into PostgreSQL in the same run;
// - the cross-counter pool lookup over loopback, p50/p99, beside a bare node:http round trip;
// - a new counter pulling the roster (1,000,000 patients; 100,000 with --quick; HUB_ROSTER=N), beside
//   the same rows inserted straight into a new counter's SQLite.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import type { HubRecord, HubRosterRow } from '../../core/contract/hub.ts';
import { groupPoolFigure, pullRoster, pushJournal, type HubLink } from '../../core/hub/client.ts';
import { rosterCertno } from '../../core/import/synthetic.ts';
import { openDatabase } from '../../core/store/db.ts';
import { addCounter, migrateHub, openHubPool, upsertRoster } from '../../core/store/hub-db.ts';
import { journalAfter } from '../../core/store/hub-sync.ts';
import { insertLine, insertSettlement } from '../../core/store/journal.ts';
import { startPgCluster } from '../../test/helpers/pg-cluster.ts';
import { settleSale, tempDir } from '../../test/helpers/settlement.ts';
import type { BenchSuite } from '../harness.ts';
import { percentile, round } from '../harness.ts';

const HUB_MAIN = fileURLToPath(new URL('../../core/hub/main.ts', import.meta.url));

function startHubProcess(pgUrl: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HUB_MAIN, 'serve', '--pg', pgUrl, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(buf);
      if (m) resolve({ url: m[1]!, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`hub exited ${code}`)));
  });
}

/** `n` journal records for one counter, cloned from one real settled sale with fresh ids and a valid seq. */
function recordsFor(template: HubRecord, counterIndex: number, n: number): HubRecord[] {
  let prev = template.settlement.prev_hash;
  return Array.from({ length: n }, (_, i) => {
    const id = uuidv7();
    const hash = createHash('sha256').update(id).digest('hex');
    const receipt = `S${counterIndex}-${i}`;
    const settlement = { ...template.settlement, id, seq: i + 1, prev_hash: prev, hash, request_id: null, psn_no: `53${String(counterIndex * 100_000 + (i % 500)).padStart(14, '0')}`, receipt_no: receipt };
    prev = hash;
    return { settlement, lines: template.lines.map((l) => ({ ...l, id: uuidv7(), settlement_id: id, feedetl_sn: `${receipt}-${l.line_no}` })) };
  });
}

function rosterRow(i: number): HubRosterRow {
  return {
    psn_no: `53${String(i).padStart(14, '0')}`, certno: rosterCertno(i), card_no: `K${String(i).padStart(8, '0')}`, name: '张伟', gender: '1', birth_date: null,
    insutype: '390', region: '530902', conditions: 'hypertension', management_class: 1, other_chronic_diseases: 0, chronic_disease_since: null,
    designated_institution: null, payment_mode: 'fee-for-service', capitation_institution: null, capitation_start_month: null, flagged_date: '2024-03-01',
    flagged_by: 'bureau', status: 'active', stopped_date: null, stopped_reason: null, ec_token: null, content_hash: `h${i}`,
  };
}

function bareRoundTrip(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}

export const hubSuite: BenchSuite = {
  name: 'hub',
  async run({ quick, log }) {
    const out: Record<string, number> = {};
    const cluster = startPgCluster();
    const pool = openHubPool(cluster.url(), 20);
    const dirs: string[] = [];
    let hub: { url: string; stop: () => void } | null = null;
    try {
      await migrateHub(pool);
      hub = await startHubProcess(cluster.url());

      // One real sale as the template of every pushed record.
      const tdir = tempDir('lbc-bench-hub-');
      dirs.push(tdir);
      const tdb = openDatabase(tdir);
      settleSale(tdb);
      const template = journalAfter(tdb, 0, 1)[0]!;
      tdb.close();

      const COUNTERS = 20;
      const PER_COUNTER = quick ? 250 : 1500;
      const links: HubLink[] = [];
      const dbs = [];
      for (let c = 0; c < COUNTERS; c++) {
        const secret = randomBytes(18).toString('base64url');
        const id = `b${c}`;
        await addCounter(pool, { id, institutionCode: template.settlement.institution_code, name: `柜台${c}`, secret });
        links.push({ url: hub.url, counterId: id, secret });
        const dir = tempDir('lbc-bench-hub-');
        dirs.push(dir);
        const db = openDatabase(dir);
        db.pragma('synchronous = OFF');
        // The counters' journals written straight into SQLite (not what is measured here).
        db.transaction(() => {
          for (const r of recordsFor(template, c, PER_COUNTER)) {
            insertSettlement(db, { ...r.settlement, seq: undefined } as never);
            for (const l of r.lines) insertLine(db, l);
          }
        })();
        dbs.push(db);
      }
      const t0 = performance.now();
      await Promise.all(dbs.map((db, c) => pushJournal(db, links[c]!)));
      const ingestS = (performance.now() - t0) / 1000;
      const total = COUNTERS * PER_COUNTER;
      out.ingestPerSecond = round(total / ingestS, 0);
      log(`ingest: ${total} records from ${COUNTERS} counters in ${ingestS.toFixed(2)} s`);

      // Baseline: the same number of rows inserted straight into PostgreSQL, no HTTP, no validation.
      await pool.query('CREATE TABLE bare_journal (id text PRIMARY KEY, record jsonb NOT NULL)');
      const bare = recordsFor(template, 99, total);
      const tb = performance.now();
      await Promise.all(Array.from({ length: COUNTERS }, async (_, c) => {
        const mine = bare.slice(c * PER_COUNTER, (c + 1) * PER_COUNTER);
        for (let i = 0; i < mine.length; i += 500) {
          const page = mine.slice(i, i + 500);
          await pool.query('INSERT INTO bare_journal SELECT * FROM unnest($1::text[], $2::jsonb[])', [page.map((r) => r.settlement.id), page.map((r) => JSON.stringify(r))]);
        }
      }));
      out.bareInsertPerSecond = round(total / ((performance.now() - tb) / 1000), 0);

      // The group pool figure over loopback, beside a bare round trip.
      const samples: number[] = [];
      const N = quick ? 300 : 2000;
      for (let i = 0; i < N; i++) {
        const psn = `53${String((i % COUNTERS) * 100_000 + (i % 500)).padStart(14, '0')}`;
        const t = performance.now();
        const fig = await groupPoolFigure(links[0]!, psn, 2024, 2000);
        samples.push(performance.now() - t);
        if (!fig) throw new Error('the hub did not answer the pool lookup');
      }
      out.poolLookupP50Ms = round(percentile(samples, 50), 3);
      out.poolLookupP99Ms = round(percentile(samples, 99), 3);
      const plain = createServer((_, res) => res.end('{"ok":true}'));
      await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
      const port = (plain.address() as AddressInfo).port;
      const bareSamples: number[] = [];
      for (let i = 0; i < N; i++) {
        const t = performance.now();
        await bareRoundTrip(port, '/v1/pool');
        bareSamples.push(performance.now() - t);
      }
      plain.close();
      out.bareRoundTripP99Ms = round(percentile(bareSamples, 99), 3);

      // A new counter joining the group pulls the whole roster.
      const ROSTER = Number(process.env.HUB_ROSTER ?? (quick ? 100_000 : 1_000_000));
      for (let i = 0; i < ROSTER; i += 10_000) await upsertRoster(pool, Array.from({ length: Math.min(10_000, ROSTER - i) }, (_, k) => rosterRow(i + k)));
      const ndir = tempDir('lbc-bench-hub-');
      dirs.push(ndir);
      const ndb = openDatabase(ndir);
      const tr = performance.now();
      const pulled = await pullRoster(ndb, links[0]!);
      out.rosterPullSeconds = round((performance.now() - tr) / 1000, 2);
      out.rosterPatients = pulled;
      ndb.close();
      // Baseline: the same rows written straight into a new counter's patients table (one prepared
      // single-row INSERT, one transaction per 20,000), no hub, no HTTP, no validation.
      const bdir = tempDir('lbc-bench-hub-');
      dirs.push(bdir);
      const bdb = openDatabase(bdir);
      const cols = Object.keys(rosterRow(0));
      const insert = bdb.prepare(`INSERT INTO patients (${cols.join(', ')}, updated_at) VALUES (${cols.map(() => '?').join(', ')}, ?)`);
      const tb2 = performance.now();
      for (let i = 0; i < ROSTER; i += 20_000) {
        const rows = Array.from({ length: Math.min(20_000, ROSTER - i) }, (_, k) => rosterRow(i + k));
        bdb.transaction(() => { for (const r of rows) insert.run([...Object.values(r), '2024-03-01T00:00:00Z']); })();
      }
      out.rosterBareSqliteSeconds = round((performance.now() - tb2) / 1000, 2);
      bdb.close();
      for (const db of dbs) db.close();
    } finally {
      hub?.stop();
      await pool.end();
      cluster.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
    return out;
  },
};
