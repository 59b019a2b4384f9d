// The core side of the desktop shell's core process (electron/core-process.ts feeds it
// process.parentPort): `open` starts the counter (database, plugin API, uploader) on a data
// directory, `call` runs one service method, `close` waits for running calls, closes the
// counter (the database last) and exits — 0 when everything closed cleanly, which is the answer
// the shell waits for. Every message is checked with core-protocol.ts before anything runs.
import { InputError } from '../contract/problems.ts';
import type { MethodName } from '../service/contract.ts';
import { rendererDir, resourceRoot } from '../config/paths.ts';
import { openDatabase } from '../store/db.ts';
import { acquireLock } from '../store/lock.ts';
import { startCounter, type RunningCounter } from './counter.ts';
import { isRegionId, seedDemoCounter } from './demo.ts';
import { CoreRequest, errorBody, type CoreReply, type OpenedValue } from './core-protocol.ts';

export interface CorePort {
  onMessage(listener: (data: unknown) => void): void;
  post(reply: CoreReply): void;
}

export interface CoreHostOptions {
  exit(code: number): void;
  log?: (line: string) => void;
}

export function serveCore(port: CorePort, o: CoreHostOptions): void {
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  let counter: RunningCounter | null = null;
  let closing = false;
  /** Requests not yet answered: close waits for them. */
  const running = new Set<Promise<void>>();

  async function open(r: Extract<CoreRequest, { kind: 'open' }>): Promise<OpenedValue> {
    if (counter) throw new InputError('ALREADY_OPEN', 'the core is already open', '柜台已启动');
    const lock = acquireLock(r.dataDir, 'counter');
    try {
      if (r.demoRegion !== null) {
        if (!isRegionId(r.demoRegion)) throw new InputError('BAD_REGION', `unknown demo region ${r.demoRegion}`, '演示地区不正确');
        const db = openDatabase(r.dataDir);
        try {
          seedDemoCounter(db, r.demoRegion, null);
        } finally {
          db.close();
        }
      }
      const start = (p: number) => startCounter({ dataDir: r.dataDir, port: p, demo: r.demoRegion !== null, lock, log });
      try {
        counter = await start(r.port);
      } catch (e) {
        // The usual port is taken (another program): the plugin API moves to a free one; the screen uses IPC anyway.
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        counter = await start(0);
      }
    } catch (e) {
      lock.release();
      throw e;
    }
    log(`core: counter open on ${r.dataDir}, plugin API at ${counter.url}`);
    return { url: counter.url, resources: resourceRoot(), renderer: rendererDir(), pid: process.pid };
  }

  async function call(method: MethodName, input: unknown): Promise<unknown> {
    if (closing) throw new InputError('SHUTTING_DOWN', 'the counter is closing', '正在退出，请稍候');
    if (!counter) throw new InputError('NOT_OPEN', 'the core has not been opened', '柜台尚未启动');
    return counter.service.call(method, input);
  }

  async function close(): Promise<void> {
    closing = true;
    let code = 0;
    try {
      while (running.size > 0) await Promise.allSettled([...running]);
      await counter?.close();
      counter = null;
      log('core: database closed');
    } catch (e) {
      log(`core: close failed: ${(e as Error).message}`);
      code = 1;
    }
    o.exit(code);
  }

  port.onMessage((data) => {
    const parsed = CoreRequest.safeParse(data);
    if (!parsed.success) {
      const id = (data as { id?: unknown } | null)?.id;
      log(`core: malformed request refused: ${parsed.error.message.slice(0, 500)}`);
      if (typeof id === 'number' && Number.isInteger(id) && id >= 0) {
        port.post({ kind: 'reply', id, ok: false, error: { code: 'BAD_REQUEST', message: 'malformed core request', messageZh: '请求格式不正确', problems: [], refusal: false } });
      }
      return;
    }
    const r = parsed.data;
    if (r.kind === 'close') {
      void close();
      return;
    }
    // Tracked until its reply is posted, so close never exits before a running call is answered.
    const answered = (r.kind === 'open' ? open(r) : call(r.method as MethodName, r.input)).then(
      (value) => port.post({ kind: 'reply', id: r.id, ok: true, value }),
      (e: unknown) => {
        if (!(e instanceof InputError)) log(`core: ${r.kind === 'call' ? r.method : 'open'} failed: ${(e as Error)?.stack ?? String(e)}`);
        port.post({ kind: 'reply', id: r.id, ok: false, error: errorBody(e) });
      },
    );
    running.add(answered);
    void answered.finally(() => running.delete(answered));
  });
}
