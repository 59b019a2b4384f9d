// A counter's link to its group's hub. The counter stays offline-first: every call here is
// optional, bounded in time and size, and a hub that does not answer leaves the counter settling
// on its own figures. Replies are validated before anything is believed.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import {
  HubErrorSchema,
  HubHoldReplySchema,
  HubPoolReplySchema,
  HubPushReplySchema,
  HubRosterPageSchema,
  HubTerminalReplySchema,
  HubTraceClaimReplySchema,
  MAX_PUSH_RECORDS,
  type HubHold,
  type HubHoldReply,
  type HubPoolReply,
  type HubPushReply,
  type HubTerminalReply,
  type HubTraceClaimReply,
} from '../contract/hub.ts';
import type { DB } from '../store/db.ts';
import { applyRosterPage, journalAfter, pushedSeq, rosterVersion, setPushedSeq } from '../store/hub-sync.ts';

export interface HubLink {
  url: string;
  counterId: string;
  secret: string;
  /** The group CA (PEM) when the hub speaks TLS. */
  ca?: string;
}

export class HubUnavailable extends Error {}
export class HubRefused extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly messageZh: string, readonly highestSeq?: number) {
    super(message);
  }
}

const MAX_REPLY = 64 * 1024 * 1024;
const HubReleasedSchema = z.object({ released: z.literal(true) });

function call<S extends z.ZodType>(link: HubLink, method: 'GET' | 'POST' | 'DELETE', path: string, schema: S, body?: unknown, timeoutMs = 10_000): Promise<z.infer<S>> {
  const url = new URL(path, link.url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      ca: link.ca,
      headers: {
        authorization: `Bearer ${link.counterId}:${link.secret}`,
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
    });
    // One deadline for the whole exchange, not only idle time: a slow drip is a dead hub.
    const timer = setTimeout(() => req.destroy(new HubUnavailable(`the hub did not answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof HubUnavailable ? e : new HubUnavailable(`the hub is unreachable: ${e.message}`));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_REPLY) req.destroy(new HubUnavailable(`the hub's reply is over ${MAX_REPLY} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          reject(new HubUnavailable(`the hub's reply (HTTP ${res.statusCode}) is not JSON`));
          return;
        }
        if (res.statusCode !== 200) {
          const err = HubErrorSchema.safeParse(json);
          if (err.success) reject(new HubRefused(res.statusCode ?? 0, err.data.error.code, err.data.error.message, err.data.error.messageZh, err.data.error.highestSeq));
          else reject(new HubUnavailable(`the hub answered HTTP ${res.statusCode}`));
          return;
        }
        const parsed = schema.safeParse(json);
        if (parsed.success) resolve(parsed.data);
        else reject(new HubUnavailable(`the hub's reply to ${path} does not have the expected shape`));
      });
    });
    req.end(payload);
  });
}

export interface PushOutcome { pushed: number; duplicates: number; overCap: HubPushReply['overCap'] }

/**
 * Sends every journal record the hub has not confirmed, oldest first, in pages. The cursor moves
 * only after the hub's reply, so a crash or a lost reply repeats a page, which the hub counts as
 * duplicates and stores nothing twice. A hub that lacks records it once confirmed (a standby
 * promoted before they reached it) says where its copy ends: the cursor goes back there, once per
 * call, and the records go again.
 */
export async function pushJournal(db: DB, link: HubLink, pageSize = MAX_PUSH_RECORDS): Promise<PushOutcome> {
  const out: PushOutcome = { pushed: 0, duplicates: 0, overCap: [] };
  let rewound = false;
  for (;;) {
    const after = pushedSeq(db);
    const records = journalAfter(db, after, pageSize);
    if (records.length === 0) return out;
    let reply: HubPushReply;
    try {
      reply = await call(link, 'POST', '/v1/journal', HubPushReplySchema, { records }, 30_000);
    } catch (e) {
      if (e instanceof HubRefused && e.code === 'JOURNAL_GAP' && e.highestSeq !== undefined && e.highestSeq < after && !rewound) {
        rewound = true;
        setPushedSeq(db, e.highestSeq);
        continue;
      }
      throw e;
    }
    out.pushed += reply.inserted;
    out.duplicates += reply.duplicates;
    out.overCap.push(...reply.overCap);
    setPushedSeq(db, Math.max(after, records[records.length - 1]!.settlement.seq));
  }
}

/**
 * Pulls roster changes after the counter's version cursor until the hub has no more. The next page
 * is asked for before this one is written, so the hub reads and sends while the counter writes.
 */
export async function pullRoster(db: DB, link: HubLink, pageSize = 20_000): Promise<number> {
  const fetchPage = (after: number) => call(link, 'GET', `/v1/roster?after=${after}&limit=${pageSize}`, HubRosterPageSchema, undefined, 60_000);
  let total = 0;
  let next = fetchPage(rosterVersion(db));
  for (;;) {
    const page = await next;
    if (page.more) next = fetchPage(page.cursor);
    try {
      if (page.rows.length > 0) applyRosterPage(db, page.rows, page.cursor, new Date().toISOString());
    } catch (e) {
      next.catch(() => undefined); // the page asked for ahead is dropped with this failure
      throw e;
    }
    total += page.rows.length;
    if (!page.more) return total;
  }
}

/**
 * The group's figure for a patient's year, or null when the hub does not answer in time or refuses
 * (the counter then prices on its own figure; the background sync logs a refusal).
 */
export async function groupPoolFigure(link: HubLink, psnNo: string, year: number, timeoutMs = 300): Promise<HubPoolReply | null> {
  try {
    return await call(link, 'GET', `/v1/pool?psn=${encodeURIComponent(psnNo)}&year=${year}`, HubPoolReplySchema, undefined, timeoutMs);
  } catch (e) {
    if (e instanceof HubUnavailable || e instanceof HubRefused) return null;
    throw e;
  }
}

/**
 * Asks the hub to hold a sale's fund amount against the patient's year before the counter commits.
 * null when the hub does not answer in time: the counter then settles on its own figures.
 */
export async function holdPool(link: HubLink, hold: HubHold, timeoutMs = 500): Promise<HubHoldReply | null> {
  try {
    return await call(link, 'POST', '/v1/pool/hold', HubHoldReplySchema, hold, timeoutMs);
  } catch (e) {
    if (e instanceof HubUnavailable || e instanceof HubRefused) return null;
    throw e;
  }
}

export async function releaseHold(link: HubLink, saleId: string): Promise<void> {
  await call(link, 'DELETE', `/v1/pool/hold/${encodeURIComponent(saleId)}`, HubReleasedSchema, undefined, 2_000).catch(() => undefined);
}

export function terminalNumber(link: HubLink): Promise<HubTerminalReply> {
  return call(link, 'GET', '/v1/terminal', HubTerminalReplySchema);
}

export function claimTraceCodes(link: HubLink, settlementId: string, codes: string[], timeoutMs = 1_000): Promise<HubTraceClaimReply> {
  return call(link, 'POST', '/v1/trace-codes', HubTraceClaimReplySchema, { settlementId, codes }, timeoutMs);
}
