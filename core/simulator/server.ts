// The simulator's HTTP face on 127.0.0.1: POST an envelope to any path (the province's gateway
// path included), GET / to probe, /admin/* to inject faults and inspect what it holds.
// Faults (per request, by probability or queued one-offs for deterministic tests):
//   latency, 5xx before processing, timeout after commit, dropped reply after commit,
//   duplicate reply body, malformed body, truncated body, business refusal for chosen psn_no,
//   a skewed split for chosen psn_no (to provoke a variance), refused sign_no, expired sessions,
//   a replayed reply (the last settlement reply given again for other messages).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { loadPolicyBook } from '../policy/index.ts';
import { loadPlatformConfig, type PlatformConfig } from '../platform/config.ts';
import type { PlatformKeys } from '../platform/crypto.ts';
import { announceSimulator } from '../platform/hints.ts';
import { openSimulatorDb, simStats, standingSettlements, allSimSettlements, type SimDB } from '../store/simulator.ts';
import { SimulatedPlatform } from './platform.ts';
import { SimRegistrySchema, type SimRegistry, type SimRegistryInput } from './registry.ts';

export const FAULT_KINDS = ['error5xx', 'timeoutAfterCommit', 'dropReply', 'duplicateReply', 'malformed', 'truncated'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FaultsSchema = z.object({
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Probability (0–1) of each fault on any request. */
  rates: z.partialRecord(z.enum(FAULT_KINDS), z.number().min(0).max(1)).default({}),
  /** Faults for the next matching requests, used up in order (deterministic tests). */
  once: z.array(z.object({ fault: z.enum(FAULT_KINDS), infno: z.string().optional() })).default([]),
  refusePsnNo: z.array(z.string()).default([]),
  splitSkew: z.record(z.string(), z.string().regex(/^\d+(\.\d{1,2})?$/)).default({}),
  /** How long a "timeout after commit" holds the reply before dropping the connection. */
  holdMs: z.number().int().min(0).max(600_000).default(30_000),
  /** Seed for the fault dice (same seed, same sequence). */
  seed: z.number().int().default(1),
  /** Refuse every sign_no (the platform lost its sessions): business messages are refused until the fault is lifted. */
  refuseSignNo: z.boolean().default(false),
  /** Transactions refused as a business refusal (infcode -1), e.g. a 2601 the platform will not perform. */
  refuseInfno: z.array(z.string()).default([]),
  /** Replay the reply given to an earlier message for the next business message(s) instead of processing them (count). */
  replayReplies: z.number().int().min(0).max(1000).default(0),
});
export type Faults = z.output<typeof FaultsSchema>;
export type FaultsInput = z.input<typeof FaultsSchema>;

export interface SimulatorOptions {
  port?: number;
  host?: string;
  dataDir: string;
  faults?: FaultsInput;
  /** People the platform knows (1101, 5301, 5205). */
  registry?: SimRegistryInput;
  /** Platform settings (default: provinces.json / LBC_PLATFORM_CONFIG) and the platform's keys where a region requires national cryptography. */
  config?: PlatformConfig;
  keys?: PlatformKeys | null;
  log?: (line: string) => void;
}

export interface RunningSimulator {
  url: string;
  port: number;
  db: SimDB;
  setFaults(f: FaultsInput): void;
  setRegistry(r: SimRegistryInput): void;
  faults(): Faults;
  stats(): Record<string, number>;
  /** End every open 9001 session (as a platform does overnight). */
  expireSignIns(): number;
  /** How many envelopes arrived on each request path (the province's gateway path shows here). */
  paths(): Record<string, number>;
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded generator so a fault run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const db = openSimulatorDb(options.dataDir);
  const config = options.config ?? loadPlatformConfig();
  let faults: Faults = FaultsSchema.parse(options.faults ?? {});
  let dice = seeded(faults.seed);
  let registry: SimRegistry = SimRegistrySchema.parse(options.registry ?? {});
  const platform = new SimulatedPlatform(db, {
    book: loadPolicyBook(),
    config,
    refusePsnNo: () => faults.refusePsnNo,
    splitSkew: () => faults.splitSkew,
    refuseSignNo: () => faults.refuseSignNo,
    refuseInfno: () => faults.refuseInfno,
    registry: () => registry,
    keys: options.keys ?? null,
  });
  const log = options.log ?? (() => {});
  const held = new Set<NodeJS.Timeout>();
  const pathCounts: Record<string, number> = {};
  let lastSettleReply: string | null = null;

  function pickFault(infno: string | undefined, phase: 'before' | 'after'): FaultKind | null {
    const idx = faults.once.findIndex((f) => !f.infno || f.infno === infno);
    if (idx >= 0) {
      const f = faults.once[idx]!;
      if ((f.fault === 'error5xx') === (phase === 'before')) {
        faults.once.splice(idx, 1);
        return f.fault;
      }
      return null;
    }
    for (const kind of FAULT_KINDS) {
      if ((kind === 'error5xx') !== (phase === 'before')) continue;
      const p = faults.rates[kind] ?? 0;
      if (p > 0 && dice() < p) return kind;
    }
    return null;
  }

  async function handlePlatform(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    pathCounts[path] = (pathCounts[path] ?? 0) + 1;
    const body = await readBody(req);
    let infno: string | undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
      infno = (parsed as { infno?: string }).infno;
    } catch {
      /* the platform logic answers malformed requests itself */
    }
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (pickFault(infno, 'before') === 'error5xx') {
      log(`fault: 503 before processing ${infno}`);
      return sendJson(res, 503, { error: 'simulated gateway failure' });
    }
    if (faults.replayReplies > 0 && lastSettleReply && (infno === '2102' || infno === '2207')) {
      faults.replayReplies--;
      log(`fault: replaying an earlier reply for ${infno}`);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(lastSettleReply) });
      res.end(lastSettleReply);
      return;
    }
    const { repeat, text, file } = platform.handle(body, parsed);
    if ((infno === '2102' || infno === '2207') && text.includes('"infcode":0')) lastSettleReply = text;
    if (repeat) log(`repeat msgid for ${infno}`);
    const fault = pickFault(infno, 'after');
    switch (fault) {
      case 'timeoutAfterCommit': {
        log(`fault: holding reply for ${infno} (committed)`);
        const t = setTimeout(() => {
          held.delete(t);
          req.socket.destroy();
        }, faults.holdMs);
        held.add(t);
        return;
      }
      case 'dropReply':
        log(`fault: dropping reply for ${infno} (committed)`);
        req.socket.destroy();
        return;
      case 'duplicateReply':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(text + text);
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(`{"infcode":0,"output":{"setlinfo":<<garbled ${Math.random()}>>`);
        return;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        return;
      default:
        if (file) {
          // 9102: the file itself (platform-fields.md: a reply with Content-Type application/octet-stream is a 9102 file).
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
          res.end(file);
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
    }
  }

  async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/admin/faults') {
      if (req.method === 'POST') {
        const parsed = FaultsSchema.safeParse(JSON.parse((await readBody(req)) || '{}'));
        if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues });
        faults = parsed.data;
        dice = seeded(faults.seed);
      }
      return sendJson(res, 200, faults);
    }
    if (url.pathname === '/admin/stats') return sendJson(res, 200, simStats(db));
    if (url.pathname === '/admin/expire-sign-ins' && req.method === 'POST') return sendJson(res, 200, { closed: platform.expireSignIns() });
    if (url.pathname === '/admin/settlements') {
      const all = url.searchParams.get('all') === '1';
      return sendJson(res, 200, { items: all ? allSimSettlements(db) : standingSettlements(db, { code: url.searchParams.get('code') ?? undefined }) });
    }
    return sendJson(res, 404, { error: 'unknown admin path' });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const work = url.pathname.startsWith('/admin/')
      ? handleAdmin(req, res, url)
      : req.method === 'POST'
        ? handlePlatform(req, res, url.pathname)
        : Promise.resolve(sendJson(res, 200, { ok: true, name: 'liangbing-counter platform simulator', stats: simStats(db) }));
    work.catch((e: Error) => {
      log(`error: ${e.stack ?? e.message}`);
      if (!res.headersSent) sendJson(res, 500, { error: e.message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Our simulator opts in to the hint node: uploaders sending to this address include it.
  const withdraw = announceSimulator(`http://127.0.0.1:${port}/`);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    db,
    setFaults(f) {
      faults = FaultsSchema.parse(f);
      dice = seeded(faults.seed);
    },
    setRegistry(r) {
      registry = SimRegistrySchema.parse(r);
    },
    faults: () => faults,
    stats: () => simStats(db),
    expireSignIns: () => platform.expireSignIns(),
    paths: () => ({ ...pathCounts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of held) clearTimeout(t);
        withdraw();
        server.closeAllConnections();
        server.close(() => {
          db.close();
          resolve();
        });
      }),
  };
}
