// The hub: one HTTP(S) service in front of the group's PostgreSQL. Counters push their journal
// records (append-only, idempotent by id), ask what a patient's year has paid across the group,
// claim trace codes, learn their terminal number and pull the roster by version cursor.
// Every body is bounded and validated; logs carry counts and counter ids, never patient data.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  HubHoldSchema,
  HubPushSchema,
  HubTraceClaimSchema,
  MAX_ROSTER_PAGE,
  type HubHoldReply,
  type HubPoolReply,
  type HubPushReply,
  type HubTerminalReply,
  type HubTraceClaimReply,
} from '../contract/hub.ts';
import {
  claimTraceCodes,
  counterByCredential,
  highestSeq,
  holdPool,
  insertJournal,
  poolYear,
  releaseHold,
  rosterPageJson,
  type CounterRow,
  type HubPool,
} from '../store/hub-db.ts';

export const MAX_HUB_BODY = 16 * 1024 * 1024;
/** How long a hold lasts when its record never arrives (a sale abandoned after the hold). */
export const HOLD_SECONDS = 600;

export interface HubOptions {
  pool: HubPool;
  /** PEM key and certificate for TLS (from `hub init --tls`); plain HTTP without them (tests on loopback). */
  tls?: { key: string; cert: string };
  log?: (line: string) => void;
}

class HubError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly messageZh: string, readonly highestSeq?: number) {
    super(message);
  }
}

/** A reply body that is already JSON text. */
class JsonText {
  constructor(readonly text: string) {}
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body instanceof JsonText ? body.text : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_HUB_BODY) throw new HubError(413, 'BODY_TOO_LARGE', `body over ${MAX_HUB_BODY} bytes`, '请求内容过大');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_HUB_BODY) throw new HubError(413, 'BODY_TOO_LARGE', `body over ${MAX_HUB_BODY} bytes`, '请求内容过大');
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HubError(400, 'BAD_JSON', 'the body is not JSON', '请求内容不是有效的 JSON');
  }
}

function parse<T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, v: unknown): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const path = first ? first.path.map(String).join('.') : '';
  throw new HubError(400, 'INVALID_BODY', `${path || 'body'}: ${first?.message ?? 'invalid'}`, `请求内容不正确（${path || '整体'}）`);
}

async function authenticate(pool: HubPool, req: IncomingMessage): Promise<CounterRow> {
  const m = /^Bearer ([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]{16,128})$/.exec(req.headers.authorization ?? '');
  const counter = m ? await counterByCredential(pool, m[1]!, m[2]!) : null;
  if (!counter) throw new HubError(401, 'UNKNOWN_COUNTER', 'unknown or revoked counter credential', '柜台凭证无效或已被停用');
  return counter;
}

export function createHub(options: HubOptions): Server {
  const { pool } = options;
  const log = options.log ?? (() => undefined);

  async function route(req: IncomingMessage, url: URL): Promise<[number, unknown]> {
    if (req.method === 'GET' && url.pathname === '/v1/health') return [200, { ok: true }];
    const counter = await authenticate(pool, req);
    if (req.method === 'POST' && url.pathname === '/v1/journal') {
      const body = parse(HubPushSchema, await readBody(req));
      const foreign = body.records.find((r) => r.settlement.institution_code !== counter.institution_code);
      if (foreign) throw new HubError(403, 'OTHER_INSTITUTION', `record ${foreign.settlement.id} belongs to another institution`, '结算记录不属于本柜台所在机构');
      const out = await insertJournal(pool, counter.id, body.records);
      if (out.gapAfter !== undefined) {
        log(`journal push from ${counter.id} refused: the hub holds its records only up to ${out.gapAfter}`);
        throw new HubError(409, 'JOURNAL_GAP', `the hub holds this counter's records only up to sequence ${out.gapAfter}; push again after it`, '中心缺少本柜台较早的结算记录，将自动补传', out.gapAfter);
      }
      if (out.conflicts.length > 0) {
        log(`journal push from ${counter.id} refused: ${out.conflicts.length} conflicting record(s)`);
        throw new HubError(409, 'JOURNAL_CONFLICT', `record ${out.conflicts[0]!.id}: ${out.conflicts[0]!.reason}`, '中心已保存内容不同的同一结算记录，请联系管理员核对');
      }
      log(`journal push from ${counter.id}: ${out.inserted} new, ${out.duplicates} already held, ${out.overCap.length} over cap`);
      const reply: HubPushReply = { inserted: out.inserted, duplicates: out.duplicates, highestSeq: await highestSeq(pool, counter.id), overCap: out.overCap };
      return [200, reply];
    }
    if (req.method === 'GET' && url.pathname === '/v1/pool') {
      const psnNo = url.searchParams.get('psn') ?? '';
      const year = Number(url.searchParams.get('year'));
      if (!/^[A-Za-z0-9]{1,40}$/.test(psnNo)) throw new HubError(400, 'INVALID_PSN', 'psn must be a 人员编号 of letters and digits', '人员编号不正确');
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new HubError(400, 'INVALID_YEAR', 'year must be a calendar year', '年度不正确');
      const { fund, held, counters } = await poolYear(pool, psnNo, year);
      const reply: HubPoolReply = { psnNo, year, fund, held, counters };
      return [200, reply];
    }
    if (req.method === 'POST' && url.pathname === '/v1/pool/hold') {
      const body = parse(HubHoldSchema, await readBody(req));
      const reply: HubHoldReply = await holdPool(pool, { ...body, counterId: counter.id, ttlSeconds: HOLD_SECONDS });
      return [200, reply];
    }
    const release = /^\/v1\/pool\/hold\/([A-Za-z0-9_-]{1,64})$/.exec(url.pathname);
    if (req.method === 'DELETE' && release) {
      await releaseHold(pool, counter.id, release[1]!);
      return [200, { released: true }];
    }
    if (req.method === 'GET' && url.pathname === '/v1/terminal') {
      const reply: HubTerminalReply = { counterId: counter.id, institutionCode: counter.institution_code, devNo: String(counter.dev_no).padStart(2, '0') };
      return [200, reply];
    }
    if (req.method === 'POST' && url.pathname === '/v1/trace-codes') {
      const body = parse(HubTraceClaimSchema, await readBody(req));
      const reply: HubTraceClaimReply = await claimTraceCodes(pool, counter.id, body.settlementId, body.codes);
      return [200, reply];
    }
    if (req.method === 'GET' && url.pathname === '/v1/roster') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Math.min(MAX_ROSTER_PAGE, Number(url.searchParams.get('limit') ?? MAX_ROSTER_PAGE));
      if (!Number.isSafeInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) throw new HubError(400, 'INVALID_CURSOR', 'after and limit must be whole numbers', '同步位置不正确');
      const page = await rosterPageJson(pool, after, limit);
      // A HubRosterPage, written as text around the rows PostgreSQL serialised.
      return [200, new JsonText(`{"rows":${page.rowsJson},"cursor":${page.cursor},"more":${page.count === limit}}`)];
    }
    throw new HubError(404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`, '没有这个接口');
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hub');
    } catch {
      send(res, 400, { error: { code: 'BAD_PATH', message: 'malformed request path', messageZh: '请求地址不正确' } });
      return;
    }
    route(req, url).then(
      ([status, body]) => send(res, status, body),
      (e: unknown) => {
        if (e instanceof HubError) send(res, e.status, { error: { code: e.code, message: e.message, messageZh: e.messageZh, ...(e.highestSeq !== undefined ? { highestSeq: e.highestSeq } : {}) } });
        else {
          log(`internal error on ${req.method} ${url.pathname}: ${(e as Error).message}`);
          send(res, 500, { error: { code: 'INTERNAL', message: 'the hub failed; the request may be retried', messageZh: '中心服务出错，请稍后重试' } });
        }
      },
    );
  };
  const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}

export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
