// Runs the counter as a local service: the database, the façade, the loopback HTTP server (plugin
// API + browser shell), the platform probe and the uploader. Used by `npm start`, the e2e tests
// and the Electron main process (which adds IPC on top of the same CounterService).
import { openDatabase, type DB } from '../store/db.ts';
import { getInstitution } from '../store/settings.ts';
import { CounterService, type PlatformLink } from '../service/index.ts';
import { loadOrCreateToken } from '../http/token.ts';
import { ScreenAccess } from '../http/screen-access.ts';
import { startHttpServer, type RunningHttp } from '../http/server.ts';
import { Uploader as OutboxUploader } from '../outbox/uploader.ts';
import { HubSync } from '../hub/sync.ts';
import { acquireLock, type DataDirLock } from '../store/lock.ts';
import { rendererDir } from '../config/paths.ts';
import type { Institution } from '../contract/institution.ts';
import { loadPlatformConfig } from '../platform/config.ts';
import type { OnlineCertificate, PlatformIdentity } from '../platform/identification.ts';
import { identifyOnline } from '../outbox/identify.ts';

/** Probes the configured platform endpoint: any HTTP answer means reachable, a refused or timed-out connection does not. */
export class PlatformProbe implements PlatformLink {
  private state: boolean | null = null;
  private at: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Called when the platform answers again after being unreachable (wakes the uploader at once). */
  onBack: () => void = () => {};
  /** Online identification (1101/5301) through the uploader's platform session, when there is one. */
  identify?: PlatformLink['identify'];
  constructor(private readonly endpointOf: () => string) {}
  endpoint(): string {
    return this.endpointOf();
  }
  reachable(): boolean | null {
    return this.endpointOf() ? this.state : null;
  }
  checkedAt(): string | null {
    return this.at;
  }
  async probe(): Promise<boolean | null> {
    const url = this.endpointOf();
    if (!url) {
      this.state = null;
      return null;
    }
    const before = this.state;
    try {
      const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1500) });
      await res.body?.cancel();
      this.state = true;
    } catch {
      this.state = false;
    }
    if (before === false && this.state) this.onBack();
    this.at = new Date().toISOString();
    return this.state;
  }
  start(everyMs = 2000): void {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), everyMs);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** The uploader seam: core/outbox provides the real one; the counter only wakes and stops it. */
export interface Uploader {
  wake(): void;
  stop(): Promise<void> | void;
  /** 9002 sign-out of an operator's platform sessions (the operator signed out at the counter). */
  signOut?(operatorId: string): Promise<unknown>;
  identify?: PlatformLink['identify'];
}

/**
 * Keeps core/outbox's uploader pointed at the configured endpoint: a changed endpoint (settings)
 * replaces the uploader; no endpoint, no uploader (settlements stay queued, never lost).
 */
export class EndpointFollowingUploader implements Uploader {
  private current: OutboxUploader | null = null;
  private currentEndpoint = '';
  private timer: NodeJS.Timeout;
  private switching: Promise<void> = Promise.resolve();
  constructor(
    private readonly db: DB,
    private readonly endpoint: () => string,
    private readonly options: { hints?: boolean; backoffCapMs?: number; log?: (line: string) => void } = {},
  ) {
    this.follow();
    this.timer = setInterval(() => this.follow(), 1000);
    this.timer.unref();
  }
  private follow(): void {
    const ep = this.endpoint();
    if (ep === this.currentEndpoint) return;
    this.currentEndpoint = ep;
    const old = this.current;
    this.current = null;
    this.switching = this.switching.then(async () => {
      if (old) {
        await old.stop();
        old.close();
      }
      if (!ep || this.currentEndpoint !== ep) return;
      // hints: unset means "only to our own simulator" (core/platform/hints.ts).
      const u = new OutboxUploader(this.db, {
        endpoint: ep,
        backoffBaseMs: 500,
        backoffCapMs: this.options.backoffCapMs ?? 30_000,
        ...(this.options.hints !== undefined ? { hints: this.options.hints } : {}),
        ...(this.options.log ? { log: this.options.log } : {}),
      });
      u.recover();
      u.start();
      this.current = u;
    });
  }
  wake(): void {
    this.follow();
    this.current?.poke();
  }
  async signOut(operatorId: string): Promise<number> {
    return (await this.current?.signOut(operatorId)) ?? 0;
  }
  /** 1101 + 5301 over the current endpoint's client and sign-in (throws when no endpoint is set). */
  async identify(inst: Institution, cert: OnlineCertificate, preferredInsutype: string | null): Promise<PlatformIdentity | null> {
    const u = this.current;
    if (!u) throw new Error('no platform endpoint');
    return identifyOnline({ db: this.db, client: u.client, session: u.session, config: loadPlatformConfig(), now: () => new Date() }, inst, cert, preferredInsutype);
  }
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.switching;
    if (this.current) {
      await this.current.stop();
      this.current.close();
      this.current = null;
    }
  }
}

export interface CounterOptions {
  dataDir: string;
  port?: number;
  /** Serve the built renderer (browser shell); default: dist/renderer (core/config/paths.ts rendererDir) when built. */
  staticDir?: string | null;
  demo?: boolean;
  /** Builds the uploader for this database; default: core/outbox's, following the endpoint setting. null: none. */
  uploader?: ((db: DB, endpoint: () => string) => Uploader | null) | null;
  /** Send the simulator's hint node with each message (demo and tests against the simulator). */
  simulatorHints?: boolean;
  log?: (line: string) => void;
  now?: () => Date;
  /** The data directory's single-writer lock, when the caller already holds it (it seeded the data first). */
  lock?: DataDirLock;
}

export interface RunningCounter {
  db: DB;
  service: CounterService;
  http: RunningHttp;
  /** The plugin token (host POS): the plugin methods only. */
  token: string;
  /** A one-time code for opening the browser shell (`${url}/#code=…`): exchanged once, within a minute, for a screen token. */
  screenCode(): string;
  url: string;
  probe: PlatformProbe;
  close(): Promise<void>;
}

export async function startCounter(o: CounterOptions): Promise<RunningCounter> {
  // One writer per data directory: a second counter (or CLI writer) on it is refused, in words.
  const lock = o.lock ?? acquireLock(o.dataDir, 'counter');
  let db: DB;
  try {
    db = openDatabase(o.dataDir);
  } catch (e) {
    lock.release();
    throw e;
  }
  const endpoint = () => getInstitution(db)?.platformEndpoint ?? '';
  const probe = new PlatformProbe(endpoint);
  let uploader: Uploader | null = null;
  const hub = new HubSync(db, o.log ? { log: o.log } : {});
  const service = new CounterService({
    db,
    platform: probe,
    demo: o.demo ?? false,
    onCommitted: () => {
      uploader?.wake();
      hub.wake();
    },
    // The operator's platform session ends with theirs (9002); a failure is logged, the counter sign-out never waits on it.
    onSignedOut: (operatorId) => void uploader?.signOut?.(operatorId).catch((e: Error) => o.log?.(`9002 sign-out failed: ${e.message}`)),
    ...(o.now ? { now: o.now } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  uploader =
    o.uploader === null ? null : o.uploader ? o.uploader(db, endpoint) : new EndpointFollowingUploader(db, endpoint, { ...(o.simulatorHints !== undefined ? { hints: o.simulatorHints } : {}), ...(o.log ? { log: o.log } : {}) });
  // The platform is back: drain now rather than at the end of the uploader's backoff.
  probe.onBack = () => uploader?.wake();
  if (uploader?.identify) {
    const u = uploader;
    probe.identify = (inst, cert, pref) => u.identify!(inst, cert, pref);
  }
  const token = loadOrCreateToken(o.dataDir);
  const screen = new ScreenAccess();
  const staticDir = o.staticDir === undefined ? rendererDir() : o.staticDir;
  let http: RunningHttp;
  try {
    http = await startHttpServer({ dispatcher: service, token, screen, staticDir, port: o.port ?? 0, version: '1.0.0', ...(o.log ? { log: o.log } : {}) });
  } catch (e) {
    // e.g. the port is taken: leave nothing half-open, so the caller can retry on another port.
    await uploader?.stop();
    db.close();
    if (!o.lock) lock.release();
    throw e;
  }
  probe.start();
  hub.start();
  return {
    db,
    service,
    http,
    token,
    screenCode: () => screen.issueCode(),
    url: http.url,
    probe,
    async close() {
      probe.stop();
      await hub.stop();
      await uploader?.stop();
      await http.close();
      db.close();
      lock.release();
    },
  };
}
