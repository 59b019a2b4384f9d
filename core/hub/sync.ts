// The counter's background link to its hub: after each commit (and every few seconds) it pushes
// the journal records the hub has not confirmed and pulls roster changes. Nothing waits on it: a
// hub that is away only means the records go later. Unset `hub.link`: it does nothing.
import { claimPendingTraceCodes } from './counter-link.ts';
import type { DB } from '../store/db.ts';
import { getSetting } from '../store/settings.ts';
import { HubUnavailable, pullRoster, pushJournal, type HubLink, type PushOutcome } from './client.ts';

/**
 * One round of the link: push every journal record the hub has not confirmed, then pull roster
 * changes. The background sync and `npm run hub -- sync` both run this; a hub that is away throws
 * HubUnavailable and nothing is lost (the cursors move only after the hub's replies).
 */
export async function syncOnce(db: DB, link: HubLink): Promise<{ pushed: PushOutcome; pulled: number }> {
  const pushed = await pushJournal(db, link);
  const pulled = await pullRoster(db, link);
  return { pushed, pulled };
}

export class HubSync {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly db: DB, private readonly o: { intervalMs?: number; log?: (line: string) => void } = {}) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.o.intervalMs ?? 15_000);
    this.timer.unref();
    this.wake();
  }

  /** Runs one round now (or right after the one running). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async round(): Promise<void> {
    const link = getSetting(this.db, 'hub.link');
    if (!link) return;
    try {
      const { pushed } = await syncOnce(this.db, link);
      if (pushed.overCap.length > 0) this.o.log?.(`hub: ${pushed.overCap.length} patient-year(s) over the cap across the group (flagged at the hub)`);
    } catch (e) {
      if (!(e instanceof HubUnavailable)) this.o.log?.(`hub sync refused: ${(e as Error).message}`);
    }
    // Trace codes of sales made while the hub was away: claimed now; one sold elsewhere first is kept for the operator.
    try {
      const late = await claimPendingTraceCodes(this.db, link);
      if (late.conflicts > 0) this.o.log?.(`hub: ${late.conflicts} trace code(s) sold here while offline were sold elsewhere first (flagged for the operator)`);
    } catch (e) {
      if (!(e instanceof HubUnavailable)) this.o.log?.(`hub trace-code claim refused: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
