// The one bridge: `window.counter` has the same method names in both shells. Electron's preload
// puts an IPC-backed object there; in the browser shell this file builds one over HTTP to the
// loopback service. Either way a failed call throws a BridgeError with the field problems.
import { SCREEN_METHODS, type CounterApi, type ScreenMethod } from '../core/service/contract.ts';

export interface Problem {
  path: string;
  code: string;
  message: string;
  messageZh: string;
}

export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly messageZh: string,
    readonly problems: Problem[],
    readonly status: number,
  ) {
    super(message);
  }

  /** The words for the screen: the refusal, then each field's own reason unless it only repeats it. */
  zh(separator = '：'): string {
    const detail = this.problems.filter((p) => p.messageZh && p.messageZh !== this.messageZh).map((p) => p.messageZh);
    return [this.messageZh, ...detail].join(separator);
  }
}

/** What only a shell can do: put paper through a printer, archive a PDF. */
export interface CounterShell {
  kind: 'electron' | 'browser';
  print(job: { html: string; widthMm: number; heightMm: number | null; printer: string; archiveName?: string }): Promise<{ printed: boolean; archived: string | null }>;
  /** The system's printers (Electron getPrintersAsync); the browser shell has none to list (its print dialog chooses). */
  printers?(): Promise<{ name: string; displayName: string; isDefault: boolean }[]>;
}

declare global {
  interface Window {
    counter?: CounterApi;
    counterShell?: CounterShell;
  }
}

const TOKEN_KEY = 'lbc.screen';
/** Where the one-time code is exchanged (core/http/server.ts SCREEN_SESSION_PATH). */
const SCREEN_SESSION = '/v1/screen-session';

/**
 * The browser shell's screen token. The launcher opens the page with a one-time code in the URL
 * fragment (never sent in a request line); the page takes it out of the address bar, exchanges
 * it once over POST and keeps the token for this tab only. A used or expired code gives null
 * (unless this tab already holds a token): the screen then says to reopen it from the launcher.
 */
export async function takeScreenToken(base = ''): Promise<string | null> {
  const m = /(?:^|[#&])code=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    history.replaceState(null, '', location.pathname + location.search);
    try {
      const res = await fetch(`${base}${SCREEN_SESSION}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: m[1] }) });
      const body = (await res.json().catch(() => null)) as { token?: string } | null;
      if (res.ok && body?.token) {
        sessionStorage.setItem(TOKEN_KEY, body.token);
        return body.token;
      }
    } catch {
      /* the service does not answer: the screen says so */
    }
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function httpCounter(token: string, base = ''): CounterApi {
  const api = {} as Record<ScreenMethod, (input: unknown) => Promise<unknown>>;
  for (const name of SCREEN_METHODS) {
    api[name] = async (input: unknown) => {
      let res: Response;
      try {
        res = await fetch(`${base}/v1/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch (e) {
        throw new BridgeError('SERVICE_UNREACHABLE', `the counter service does not answer: ${(e as Error).message}`, '柜台服务未响应，请确认程序正在运行', [], 0);
      }
      const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; messageZh: string; problems?: Problem[] } } | null;
      if (!res.ok) {
        const err = body?.error;
        throw new BridgeError(err?.code ?? 'HTTP_' + res.status, err?.message ?? res.statusText, err?.messageZh ?? `请求失败（${res.status}）`, err?.problems ?? [], res.status);
      }
      return body;
    };
  }
  return api as unknown as CounterApi;
}

/** Browser printing: the document goes into a hidden frame and the system print dialog. */
export function browserShell(): CounterShell {
  return {
    kind: 'browser',
    async printers() {
      return [];
    },
    async print(job) {
      // The print frame must not take the keyboard away from the counter: the next scan comes at once.
      const active = document.activeElement as HTMLElement | null;
      const frame = document.createElement('iframe');
      frame.setAttribute('aria-hidden', 'true');
      frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden';
      frame.srcdoc = job.html;
      document.body.appendChild(frame);
      await new Promise<void>((r) => frame.addEventListener('load', () => r(), { once: true }));
      try {
        frame.contentWindow?.print();
      } finally {
        active?.focus();
        setTimeout(() => frame.remove(), 1000);
      }
      return { printed: true, archived: null };
    },
  };
}

/** Normalises any thrown value (IPC errors arrive as plain objects) into a BridgeError. */
export function asBridgeError(e: unknown): BridgeError {
  if (e instanceof BridgeError) return e;
  const o = e as { code?: string; message?: string; messageZh?: string; problems?: Problem[] };
  // Electron wraps errors thrown in ipcMain.handle: the body travels as JSON in the message.
  const m = /(\{.*\})\s*$/.exec(o?.message ?? '');
  if (m) {
    try {
      const b = JSON.parse(m[1]!) as { code: string; message: string; messageZh: string; problems: Problem[] };
      if (b.code) return new BridgeError(b.code, b.message, b.messageZh, b.problems ?? [], 400);
    } catch {
      /* not JSON: fall through */
    }
  }
  return new BridgeError(o?.code ?? 'ERROR', o?.message ?? String(e), o?.messageZh ?? o?.message ?? '操作失败', o?.problems ?? [], 0);
}
