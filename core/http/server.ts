// The loopback HTTP server: the host-POS plugin API under /v1 and the built counter screen for
// the browser shell. Two bearer credentials: the plugin token (host POS) reaches only the
// methods whose surfaces include `plugin`; a screen token (from a one-time code, ./screen-access.ts)
// reaches the screen's methods. Bound to 127.0.0.1 only; the Host header is checked so a web page
// cannot reach it through DNS rebinding, and no CORS headers are ever sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { InputError, problem } from '../contract/problems.ts';
import { ServiceRefusal } from '../service/errors.ts';
import { METHODS, needsAdmin, openTo, type Caller, type MethodName } from '../service/contract.ts';
import { openApiDocument } from './openapi.ts';
import { tokenMatches } from './token.ts';
import type { ScreenAccess } from './screen-access.ts';

export interface Dispatcher {
  /** Validates the raw input with the method's schema and runs it; throws InputError on bad input. */
  /** ctx.source: who is calling (the peer address), for the sign-in lockout. */
  call(method: MethodName, input: unknown, ctx?: { source: string }): Promise<unknown>;
}

export interface HttpOptions {
  dispatcher: Dispatcher;
  /** The plugin token (host POS). */
  token: string;
  /** The browser shell's one-time codes and screen tokens; omitted: the plugin API only. */
  screen?: ScreenAccess | null;
  /** Folder of the built renderer (index.html + assets); omitted: API only. */
  staticDir?: string | null;
  port?: number;
  version?: string;
  log?: (line: string) => void;
}

export interface RunningHttp {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};
// The screen loads only its own scripts and styles, and talks only to this server.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";


function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, messageZh: string, problems: ReturnType<typeof problem>[] = []): void {
  send(res, status, { error: { code, message, messageZh, problems } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new InputError('BODY_TOO_LARGE', `request body exceeds ${MAX_BODY} bytes`, '请求内容过大', [problem('', 'BODY_TOO_LARGE', `request body exceeds ${MAX_BODY} bytes`, '请求内容过大')]);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Where the browser shell exchanges its one-time code (outside the method namespace: no method has a hyphen). */
export const SCREEN_SESSION_PATH = '/v1/screen-session';

function isJson(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/json');
}

function unsupportedMedia(res: ServerResponse): void {
  sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', '请求内容须为 JSON', [problem('', 'UNSUPPORTED_MEDIA_TYPE', 'content-type must be application/json', '内容类型须为 application/json')]);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw new InputError('MALFORMED_JSON', `the body is not valid JSON: ${(e as Error).message}`, '请求内容不是有效的 JSON', [problem('', 'MALFORMED_JSON', (e as Error).message, 'JSON 格式错误')]);
  }
}

function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function startHttpServer(o: HttpOptions): Promise<RunningHttp> {
  const log = o.log ?? (() => {});
  const staticRoot = o.staticDir ? resolve(o.staticDir) : null;
  let boundPort = 0;

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!staticRoot) return sendError(res, 404, 'NOT_FOUND', 'no counter screen is served here (API only)', '此处未提供柜台界面');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use GET', '请使用 GET');
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendError(res, 400, 'BAD_PATH', 'malformed percent-escape in the request path', '请求路径中的转义字符无效');
    }
    const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = normalize(join(staticRoot, rel));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return sendError(res, 404, 'NOT_FOUND', 'not found', '未找到');
    let target = file;
    try {
      if (!(await stat(target)).isFile()) throw new Error('not a file');
    } catch {
      // Client-side routes fall back to the screen itself; missing assets are 404s.
      if (extname(rel)) return sendError(res, 404, 'NOT_FOUND', `not found: ${rel}`, '未找到');
      target = join(staticRoot, 'index.html');
    }
    const body = await readFile(target);
    const immutable = target.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': MIME[extname(target)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** POST /v1/screen-session {code}: the one-time code from the launcher, once, for a screen token. */
  async function exchangeCode(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!o.screen) return sendError(res, 404, 'NOT_FOUND', 'no counter screen is served here (API only)', '此处未提供柜台界面');
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use POST with a JSON body', '请使用 POST 并提交 JSON');
    }
    // JSON only: a cross-site form cannot send it without a preflight, which is never answered.
    if (!isJson(req)) return unsupportedMedia(res);
    let code: unknown;
    try {
      code = ((await readJson(req)) as { code?: unknown } | null)?.code;
    } catch (e) {
      if (e instanceof InputError) return send(res, 400, { error: e.toBody() });
      throw e;
    }
    const token = typeof code === 'string' && code.length <= 64 ? o.screen.exchange(code) : null;
    if (!token) {
      log('screen-session 401 code refused');
      return sendError(res, 401, 'SCREEN_CODE_REFUSED', 'the one-time code is unknown, already used or expired: open the counter again from the launcher', '打开地址已失效（只能使用一次，一分钟内有效），请从启动程序重新打开柜台');
    }
    log('screen-session 200');
    return send(res, 200, { token });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    if (!hostAllowed(req.headers.host, boundPort)) {
      return sendError(res, 421, 'BAD_HOST', 'this server answers only to 127.0.0.1 and localhost', '仅接受本机访问');
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${boundPort}`);
    const path = url.pathname;
    if (path === '/v1/openapi.json' && req.method === 'GET') return send(res, 200, openApiDocument(o.version ?? '1.0.0'));
    if (path === '/v1/health' && req.method === 'GET') return send(res, 200, { ok: true });
    if (!path.startsWith('/v1/')) return serveStatic(req, res, path);

    if (path === SCREEN_SESSION_PATH) return exchangeCode(req, res);

    const auth = req.headers.authorization;
    const presented = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
    const caller: Caller | null = tokenMatches(o.token, presented) ? 'plugin' : o.screen?.valid(presented) ? 'screen' : null;
    if (!caller) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendError(res, 401, 'UNAUTHORIZED', 'missing or wrong bearer token (see api-token in the data directory)', '访问令牌缺失或错误');
    }
    const name = path.slice(4);
    if (!Object.prototype.hasOwnProperty.call(METHODS, name)) return sendError(res, 404, 'NO_SUCH_METHOD', `no method ${name}`, `没有此接口：${name}`);
    const method = name as MethodName;
    if (!openTo(method, caller)) {
      log(`${name} 403 plugin token`);
      const admin = needsAdmin(method);
      return sendError(
        res,
        403,
        'NOT_A_PLUGIN_METHOD',
        `${name} is not open to the plugin API: it is ${admin ? "an administrator's method" : 'a method'} of the counter screen, and the plugin token cannot call it`,
        `接口 ${name} 不对收银系统开放，只能在柜台界面${admin ? '由管理员' : ''}操作`,
      );
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use POST with a JSON body', '请使用 POST 并提交 JSON');
    }
    if (!isJson(req)) return unsupportedMedia(res);
    try {
      const input = await readJson(req);
      const out = await o.dispatcher.call(method, input, { source: `http ${req.socket.remoteAddress ?? 'unknown'}` });
      send(res, 200, out);
      log(`${name} 200 ${Date.now() - started}ms`);
    } catch (e) {
      if (e instanceof ServiceRefusal) {
        log(`${name} 409 ${e.code}`);
        return send(res, 409, { error: e.toBody() });
      }
      if (e instanceof InputError) {
        log(`${name} 400 ${e.code} ${e.message}`);
        return send(res, 400, { error: e.toBody() });
      }
      log(`${name} 500 ${(e as Error)?.stack ?? String(e)}`);
      return sendError(res, 500, 'INTERNAL', `internal error: ${(e as Error)?.message ?? String(e)}`, '系统内部错误，请联系技术支持');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log(`unhandled ${(e as Error)?.stack ?? e}`);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'internal error', '系统内部错误');
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    // Loopback only: the plugin API must never be reachable from the network.
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      boundPort = (server.address() as AddressInfo).port;
      resolvePromise({
        server,
        port: boundPort,
        url: `http://127.0.0.1:${boundPort}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
