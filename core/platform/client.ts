// Posting one envelope to the platform and classifying what happened. Only a connection that
// was never made counts as "not delivered"; a timeout, a reset, a 5xx or a reply we cannot
// read leaves the outcome unknown (ambiguous): the platform may have committed it.
import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import { parseReply, type Envelope, type Reply } from './envelope.ts';
import type { PlatformConfig } from './config.ts';
import { CryptoRefused, loadPlatformKeys, NO_CRYPTO, openReply, sealRequest, type CryptoSpec, type PlatformKeys } from './crypto.ts';

/** The client's crypto option where a region requires it (keys from LBC_PLATFORM_KEYS unless given), else nothing. */
export function cryptoOption(config: PlatformConfig, keys?: PlatformKeys | null): Pick<ClientOptions, 'crypto'> {
  if (!config.usesCrypto()) return {};
  return { crypto: { config, keys: keys === undefined ? loadPlatformKeys() : keys } };
}

export type SendOutcome<T = unknown> =
  | { kind: 'reply'; reply: Reply<T>; body: string }
  | { kind: 'not-delivered'; error: string }
  | { kind: 'ambiguous'; error: string; body?: string };

/** A 9102 answer: the file's bytes, or the platform's JSON reply (a refusal, usually). */
export type DownloadOutcome =
  | { kind: 'file'; bytes: Buffer; contentType: string }
  | { kind: 'reply'; reply: Reply<unknown>; body: string }
  | { kind: 'not-delivered'; error: string }
  | { kind: 'ambiguous'; error: string; body?: string };

interface HttpAnswer {
  kind: 'http';
  status: number;
  contentType: string;
  body: Buffer;
  /** The cryptography the request was sealed with (the reply is opened with it). */
  spec: CryptoSpec;
}

const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENETDOWN']);

export interface ClientOptions {
  /** How long to wait for a reply before the outcome is unknown. */
  timeoutMs?: number;
  /** Most parallel connections (the uploader pipelines this many messages). */
  maxSockets?: number;
  /** The path every transaction is posted to (per-province transport path); the URL's own path when absent. */
  path?: string;
  /** Most bytes of reply body read; a longer reply is cut off and the outcome is unknown (ambiguous). */
  maxReplyBytes?: number;
  /** Whole-request deadline (connect + send + full reply); a slow-drip reply past it is aborted as ambiguous. */
  deadlineMs?: number;
  /** National cryptography where the envelope's region requires it (provinces.json crypto), with this counter's keys. */
  crypto?: { config: PlatformConfig; keys: PlatformKeys | null };
}

/** A reply larger than this is hostile or broken: a real settlement reply is a few kB. */
export const DEFAULT_MAX_REPLY_BYTES = 4 * 1024 * 1024;

export class PlatformClient {
  private readonly agent: http.Agent;
  private readonly url: URL;
  readonly timeoutMs: number;
  readonly maxReplyBytes: number;
  readonly deadlineMs: number;

  constructor(
    endpoint: string,
    private readonly options: ClientOptions = {},
  ) {
    this.url = new URL(endpoint);
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    // The idle timeout alone lets a reply dripping one byte per second hold the drain forever.
    this.deadlineMs = options.deadlineMs ?? this.timeoutMs;
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  }

  get endpoint(): string {
    return this.url.toString();
  }

  /** Posts an envelope; never throws. The reply is parsed with the output schema of the transaction. */
  /**
   * transportPath: the region's gateway path (provinces.json transport.path), used when the
   * configured endpoint is a bare host (path "/"); an endpoint with its own path is used as is.
   */
  async send<S extends z.ZodType = z.ZodUnknown>(envelope: Envelope | Record<string, unknown> | string, outputSchema?: S, transportPath?: string): Promise<SendOutcome<z.output<S>>> {
    const r = await this.post(envelope, transportPath, this.maxReplyBytes);
    if (r.kind !== 'http') return r;
    const raw = r.body.toString('utf8');
    if (r.status !== 200) return { kind: 'ambiguous', error: `HTTP ${r.status} from the platform`, body: raw.slice(0, 500) };
    const opened = openReply(raw, r.spec, this.options.crypto?.keys ?? null);
    if (!opened.ok) return { kind: 'ambiguous', error: opened.why, body: raw.slice(0, 500) };
    const text = opened.body;
    const parsed = parseReply(text, outputSchema);
    if (!parsed.ok) return { kind: 'ambiguous', error: parsed.error, body: text.slice(0, 500) };
    return { kind: 'reply', reply: parsed.reply, body: text };
  }

  /**
   * Posts a 9102 文件下载 envelope: the platform answers with the file (application/octet-stream)
   * or, refusing, with a JSON reply. At most maxBytes of file are read; a longer one is cut off.
   */
  async download(envelope: Envelope | Record<string, unknown>, transportPath: string | undefined, maxBytes: number): Promise<DownloadOutcome> {
    const r = await this.post(envelope, transportPath, maxBytes);
    if (r.kind !== 'http') return r;
    if (r.status !== 200) return { kind: 'ambiguous', error: `HTTP ${r.status} from the platform`, body: r.body.toString('utf8').slice(0, 500) };
    if (/application\/json|text\//i.test(r.contentType)) {
      const opened = openReply(r.body.toString('utf8'), r.spec, this.options.crypto?.keys ?? null);
      if (!opened.ok) return { kind: 'ambiguous', error: opened.why };
      const text = opened.body;
      const parsed = parseReply(text);
      if (!parsed.ok) return { kind: 'ambiguous', error: parsed.error, body: text.slice(0, 500) };
      return { kind: 'reply', reply: parsed.reply, body: text };
    }
    return { kind: 'file', bytes: r.body, contentType: r.contentType };
  }

  /** The region's cryptography for an envelope (by its mdtrtarea_admvs), none when no region or no crypto is configured. */
  private specFor(envelope: Record<string, unknown>): CryptoSpec {
    const c = this.options.crypto;
    if (!c) return NO_CRYPTO;
    return c.config.regionByAdmvs(String(envelope.mdtrtarea_admvs ?? ''))?.crypto ?? NO_CRYPTO;
  }

  /** One POST: the raw answer (status, type, body up to `cap` bytes) or why there is none. */
  private async post(envelope: Envelope | Record<string, unknown> | string, transportPath: string | undefined, cap: number): Promise<HttpAnswer | { kind: 'not-delivered'; error: string } | { kind: 'ambiguous'; error: string; body?: string }> {
    let spec = NO_CRYPTO;
    let text = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
    if (this.options.crypto) {
      const env = (typeof envelope === 'string' ? JSON.parse(envelope) : envelope) as Record<string, unknown>;
      spec = this.specFor(env);
      try {
        if (spec.encType || spec.signType) text = JSON.stringify(sealRequest(env, spec, this.options.crypto.keys));
      } catch (e) {
        if (e instanceof CryptoRefused) return { kind: 'not-delivered', error: e.message };
        throw e;
      }
    }
    const answer = await this.request(Buffer.from(text, 'utf8'), transportPath, cap);
    return answer.kind === 'http' ? { ...answer, spec } : answer;
  }

  private request(body: Buffer, transportPath: string | undefined, cap: number): Promise<Omit<HttpAnswer, 'spec'> | { kind: 'not-delivered'; error: string } | { kind: 'ambiguous'; error: string; body?: string }> {
    return new Promise((resolve) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      type Answer = Omit<HttpAnswer, 'spec'> | { kind: 'not-delivered'; error: string } | { kind: 'ambiguous'; error: string; body?: string };
      const done = (o: Answer) => {
        if (!settled) {
          settled = true;
          if (deadline) clearTimeout(deadline);
          resolve(o);
        }
      };
      const mod = this.url.protocol === 'https:' ? https : http;
      const rootOnly = this.url.pathname === '/';
      const chosen = transportPath ?? this.options.path;
      const path = chosen && rootOnly ? chosen : this.url.pathname + this.url.search;
      const req = mod.request(
        {
          hostname: this.url.hostname,
          port: this.url.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let received = 0;
          res.on('data', (c: Buffer) => {
            if (settled) return;
            received += c.length;
            if (received > cap) {
              // Stop reading now: never hold more than the cap in memory.
              chunks.length = 0;
              done({ kind: 'ambiguous', error: `reply larger than ${cap} bytes; cut off` });
              req.destroy();
              return;
            }
            chunks.push(c);
          });
          res.on('error', (e) => done({ kind: 'ambiguous', error: `reply interrupted: ${e.message}` }));
          res.on('aborted', () => done({ kind: 'ambiguous', error: 'reply interrupted (connection closed mid-body)' }));
          res.on('end', () => {
            if (settled) return;
            done({ kind: 'http', status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
          });
        },
      );
      deadline = setTimeout(() => {
        done({ kind: 'ambiguous', error: `no complete reply within the ${this.deadlineMs} ms deadline` });
        req.destroy();
      }, this.deadlineMs);
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(new Error(`no reply within ${this.timeoutMs} ms`));
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code && NOT_DELIVERED.has(e.code)) done({ kind: 'not-delivered', error: `${e.code}: ${e.message}` });
        else done({ kind: 'ambiguous', error: e.message || String(e.code) });
      });
      req.end(body);
    });
  }

  /** Is the platform's endpoint reachable at all? Any HTTP answer counts; the browser's online flag is not trusted. */
  probe(timeoutMs = Math.min(this.timeoutMs, 3000)): Promise<boolean> {
    return new Promise((resolve) => {
      const mod = this.url.protocol === 'https:' ? https : http;
      const req = mod.request({ hostname: this.url.hostname, port: this.url.port, path: this.url.pathname, method: 'GET', agent: this.agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(true));
        res.on('error', () => resolve(true));
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error('probe timeout')));
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
