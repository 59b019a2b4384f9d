// The main process's end of the core process: numbered requests, replies checked with the
// protocol's zod schemas (a malformed one refuses its call), calls still waiting when the core exits refused in words, and a close
// that waits for the core to exit (killed if it does not within the time given).
import { InputError } from '../core/contract/problems.ts';
import { CoreReply, OpenedValue, type CoreErrorBody, type CoreRequest } from '../core/app/core-protocol.ts';
import type { MethodName } from '../core/service/contract.ts';

/** What main.ts uses of Electron's UtilityProcess. */
export interface CoreChild {
  postMessage(message: CoreRequest): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** A refusal or failure from the core, carrying its body across to the renderer. */
export class CoreCallError extends Error {
  constructor(readonly body: CoreErrorBody) {
    super(body.message);
  }
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Pending = { resolve: (value: unknown) => void; reject: (e: Error) => void };

export class CoreClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitCode: number | null = null;
  /** Resolves with the core's exit code (0: it closed the database cleanly). */
  readonly exited: Promise<number>;

  constructor(private readonly child: CoreChild, private readonly log: (line: string) => void = (l) => process.stderr.write(l + '\n')) {
    child.on('message', (raw) => {
      const r = CoreReply.safeParse(raw);
      if (!r.success) {
        this.log(`shell: malformed reply from the core: ${r.error.message.slice(0, 300)}`);
        // A call whose reply cannot be read is answered with a refusal, never left waiting.
        const id = (raw as { id?: unknown } | null)?.id;
        const p = typeof id === 'number' ? this.pending.get(id) : undefined;
        if (p) {
          this.pending.delete(id as number);
          p.reject(new InputError('BAD_REPLY', 'the core answered with a malformed reply', '柜台核心返回的数据不正确'));
        }
        return;
      }
      const p = this.pending.get(r.data.id);
      if (!p) return;
      this.pending.delete(r.data.id);
      if (r.data.ok) p.resolve(r.data.value);
      else p.reject(new CoreCallError(r.data.error));
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        this.exitCode = code;
        // A call the core had not answered may or may not have run: retrying a settle with its requestId never settles twice.
        for (const p of this.pending.values()) p.reject(new InputError('CORE_EXITED', `the core process exited (${code}) before answering`, '柜台核心已停止，本次操作可能未完成，请稍后重试（同一笔结算重试不会重复收费）'));
        this.pending.clear();
        resolve(code);
      });
    });
  }

  private request(message: WithoutId<Extract<CoreRequest, { kind: 'open' | 'call' }>>): Promise<unknown> {
    if (this.exitCode !== null) return Promise.reject(new InputError('CORE_EXITED', `the core process exited (${this.exitCode})`, '柜台核心已停止，请重新启动程序'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.postMessage({ ...message, id } as CoreRequest);
    });
  }

  async open(o: { dataDir: string; port: number; demoRegion: string | null }): Promise<OpenedValue> {
    return OpenedValue.parse(await this.request({ kind: 'open', ...o }));
  }

  call(method: MethodName, input: unknown): Promise<unknown> {
    return this.request({ kind: 'call', method, input });
  }

  /** Asks the core to close the database and exit; resolves with its exit code. */
  async close(timeoutMs = 20_000): Promise<number> {
    if (this.exitCode !== null) return this.exitCode;
    this.child.postMessage({ kind: 'close' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
    const code = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (code !== 'late') return code;
    this.log(`shell: the core did not exit within ${timeoutMs} ms; killing it`);
    this.child.kill();
    return this.exited;
  }
}
