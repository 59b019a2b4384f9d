// Keeps the core process running for the main process: a core that dies on its own (a crash, an
// out-of-memory kill) is forked again and reopened on the same data directory and plugin port, a
// bounded number of times; calls that were waiting on the dead core are refused in words at once
// (CoreClient), calls made while it restarts wait for the new one, and once the restarts are spent
// every call is refused. The window is told in Chinese, the log in English. A close (quit) is
// never mistaken for a crash.
import { InputError } from '../core/contract/problems.ts';
import type { OpenedValue } from '../core/app/core-protocol.ts';
import type { MethodName } from '../core/service/contract.ts';
import { CoreClient, type CoreChild } from './core-client.ts';

export interface CoreSupervisorOptions {
  /** Starts a new core process (utilityProcess.fork). */
  fork: () => CoreChild;
  open: { dataDir: string; port: number; demoRegion: string | null };
  /** How many restarts are allowed within `windowMs` before the shell gives up. */
  maxRestarts?: number;
  windowMs?: number;
  /** Wait before restart n (1, 2, …): n × this, so a core that dies at once does not spin. */
  backoffMs?: number;
  /** English, for the log. */
  log?: (line: string) => void;
  /** Chinese, for the person at the counter (a message box on the window). */
  notify?: (messageZh: string, kind: 'restarted' | 'gave-up') => void;
}

export const RESTARTED_ZH = '柜台核心意外停止，已自动重新启动。刚才未完成的操作请重试（同一笔结算重试不会重复收费）。';
export const GAVE_UP_ZH = '柜台核心多次意外停止，已不再自动重启。请退出并重新打开程序；如仍出现，请联系技术支持。';

export class CoreSupervisor {
  private client: CoreClient | null = null;
  private restarting: Promise<void> | null = null;
  private closing = false;
  private gaveUp = false;
  private readonly restartTimes: number[] = [];
  private port: number;
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  private readonly backoffMs: number;
  private readonly log: (line: string) => void;
  /** How many core processes have been started (1 + restarts). */
  forks = 0;

  constructor(private readonly o: CoreSupervisorOptions) {
    this.port = o.open.port;
    this.maxRestarts = o.maxRestarts ?? 3;
    this.windowMs = o.windowMs ?? 10 * 60_000;
    this.backoffMs = o.backoffMs ?? 500;
    this.log = o.log ?? ((l) => process.stderr.write(l + '\n'));
  }

  /** Forks the first core and opens the data directory; a core that cannot open is not restarted. */
  async start(): Promise<OpenedValue> {
    const opened = await this.launch();
    // The restarted core listens where the first one did, so the host POS keeps its address.
    const port = Number(new URL(opened.url).port);
    if (Number.isInteger(port) && port > 0) this.port = port;
    return opened;
  }

  private async launch(): Promise<OpenedValue> {
    const child = this.o.fork();
    this.forks++;
    const client = new CoreClient(child, this.log);
    let opened: OpenedValue;
    try {
      opened = await client.open({ ...this.o.open, port: this.port });
    } catch (e) {
      child.kill();
      throw e;
    }
    this.client = client;
    void client.exited.then((code) => this.exited(client, code));
    return opened;
  }

  private exited(client: CoreClient, code: number): void {
    if (client !== this.client || this.closing) return;
    this.client = null;
    this.restartAfter(`the core process exited unexpectedly (code ${code})`);
  }

  private restartAfter(why: string): void {
    const now = Date.now();
    while (this.restartTimes.length > 0 && now - this.restartTimes[0]! > this.windowMs) this.restartTimes.shift();
    if (this.restartTimes.length >= this.maxRestarts) {
      this.gaveUp = true;
      this.log(`shell: ${why}; ${this.restartTimes.length} restarts within ${Math.round(this.windowMs / 1000)} s already, giving up`);
      this.o.notify?.(GAVE_UP_ZH, 'gave-up');
      return;
    }
    this.restartTimes.push(now);
    const attempt = this.restartTimes.length;
    this.log(`shell: ${why}; restarting it (attempt ${attempt} of ${this.maxRestarts})`);
    this.restarting = (async () => {
      await new Promise((r) => setTimeout(r, this.backoffMs * attempt));
      let failure: string | null = null;
      if (!this.closing) {
        try {
          const opened = await this.launch();
          this.log(`shell: core ${opened.pid} restarted, plugin API at ${opened.url}`);
          this.o.notify?.(RESTARTED_ZH, 'restarted');
        } catch (e) {
          failure = `the restarted core did not open: ${(e as Error).message}`;
        }
      }
      this.restarting = null;
      // A core that cannot open counts as another crash, bounded by the same limit.
      if (failure && !this.closing) this.restartAfter(failure);
    })();
  }

  /** One service call on the running core (waiting for a restart in progress). */
  async call(method: MethodName, input: unknown): Promise<unknown> {
    while (this.restarting) await this.restarting;
    if (this.client) return this.client.call(method, input);
    if (this.gaveUp) throw new InputError('CORE_EXITED', 'the core process stopped repeatedly and is not restarted any more', GAVE_UP_ZH);
    throw new InputError('CORE_EXITED', 'the core process is not running', '柜台核心未运行，请重新启动程序');
  }

  /** Asks the running core to close the database and exit (no restart after this); its exit code. */
  async close(timeoutMs?: number): Promise<number | null> {
    this.closing = true;
    while (this.restarting) await this.restarting;
    const client = this.client;
    this.client = null;
    return client ? client.close(timeoutMs) : null;
  }
}
