// Posting one envelope to the platform and classifying what happened. Only a connection that
// was never made counts as "not delivered"; a timeout, a reset, a 5xx or a reply we cannot
// read leaves the outcome unknown (ambiguous): the platform may have committed it.
import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import { parseReply, type Envelope, type Reply } from './envelope.ts';

export type SendOutcome<T = unknown> =
  | { kind: 'reply'; reply: Reply<T>; body: string }
  | { kind: 'not-delivered'; error: string }
  | { kind: 'ambiguous'; error: string; body?: string };

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
  send<S extends z.ZodType = z.ZodUnknown>(envelope: Envelope | Record<string, unknown> | string, outputSchema?: S, transportPath?: string): Promise<SendOutcome<z.output<S>>> {
    const body = Buffer.from(typeof envelope === 'string' ? envelope : JSON.stringify(envelope), 'utf8');
    return new Promise((resolve) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      const done = (o: SendOutcome<z.output<S>>) => {
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
            if (received > this.maxReplyBytes) {
              // Stop reading now: never hold more than the cap in memory.
              chunks.length = 0;
              done({ kind: 'ambiguous', error: `reply larger than ${this.maxReplyBytes} bytes; cut off` });
              req.destroy();
              return;
            }
            chunks.push(c);
          });
          res.on('error', (e) => done({ kind: 'ambiguous', error: `reply interrupted: ${e.message}` }));
          res.on('aborted', () => done({ kind: 'ambiguous', error: 'reply interrupted (connection closed mid-body)' }));
          res.on('end', () => {
            if (settled) return;
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 500) return done({ kind: 'ambiguous', error: `HTTP ${res.statusCode} from the platform`, body: text.slice(0, 500) });
            if ((res.statusCode ?? 0) !== 200) return done({ kind: 'ambiguous', error: `HTTP ${res.statusCode} from the platform`, body: text.slice(0, 500) });
            const parsed = parseReply(text, outputSchema);
            if (!parsed.ok) return done({ kind: 'ambiguous', error: parsed.error, body: text.slice(0, 500) });
            done({ kind: 'reply', reply: parsed.reply, body: text });
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
