// The counter's side of the hub, as the counter service uses it while quoting and settling: the
// group's figure of a patient's year (or, with the hub away, this counter's own plus the last hub
// figure), the hold of a sale's fund amount, the claim of its trace codes, and, later, the claim
// of codes sold while the hub was away. Every step is bounded in time; a hub that does not answer
// leaves the counter settling on its own, exactly as with no hub. No hub configured: null/no-op.
import { wallTime } from '../clock/index.ts';
import { Decimal, fen } from '../money/decimal.ts';
import type { DB } from '../store/db.ts';
import { getSetting } from '../store/settings.ts';
import { pushedSeq, unpushedFund } from '../store/hub-sync.ts';
import {
  addPendingTraceClaims,
  fundAfterSeq,
  lastHubFigure,
  pendingTraceClaims,
  recordSettlementPoolFigure,
  saveHubFigure,
  settleTraceClaims,
  type SettlementPoolFigure,
} from '../store/hub-link.ts';
import { claimTraceCodes, groupPoolFigure, holdPool, HubRefused, HubUnavailable, releaseHold, type HubLink } from './client.ts';

/** How long a quote or settle waits for the hub's figure of the patient's year (or its hold) before pricing on its own. */
export const HUB_POOL_TIMEOUT_MS = 300;
/** How long a settle waits for the hub to claim its trace codes before settling on its own. */
export const HUB_CLAIM_TIMEOUT_MS = 1_500;

/** Whose figure of the year's used amount a sale is priced from. */
export interface PoolFigure extends SettlementPoolFigure {
  psnNo: string;
  year: number;
  /** This counter's records the hub has not received (counted in `used`, left out of the hold's cap). */
  unpushed: string;
}

/** The figure in the words the screen and the receipt use. */
export function poolFigureZh(f: SettlementPoolFigure): string {
  const at = f.asOf ? wallTime(new Date(f.asOf)).slice(0, 16) : null;
  if (f.source === 'group') return `年度已用额度为本组全部柜台合计（中心数据，截至 ${at ?? ''}）`;
  return at
    ? `未连上中心：年度已用额度按本柜台记录加最近一次中心数据（截至 ${at}）计算，其他柜台此后的结算未计入`
    : '未连上中心：年度已用额度仅按本柜台记录计算，其他柜台的结算未计入';
}

/** The same, short, after a line's "年度限额剩余" in its explanation. */
export function poolFigureShortZh(f: SettlementPoolFigure): string {
  const at = f.asOf ? wallTime(new Date(f.asOf)).slice(11, 16) : null;
  if (f.source === 'group') return `按本组全部柜台合计，截至 ${at ?? ''}`;
  return at ? `未连上中心，按本柜台记录及 ${at} 的中心数据` : '未连上中心，仅按本柜台记录';
}

/** A line's explanation with the figure said after its cap note. */
export function withPoolFigure(notes: readonly string[], f: SettlementPoolFigure | null): string[] {
  if (!f) return [...notes];
  return notes.map((n) => (n.startsWith('年度限额剩余') ? `${n}（${poolFigureShortZh(f)}）` : n));
}

export type HoldOutcome = { granted: true; used: string } | { granted: false } | null;
export type ClaimOutcome = { claimed: true } | { claimed: false; offline: true } | { claimed: false; refused: { code: string; counterId: string; settlementId: string }[] };

export class CounterLink {
  constructor(private readonly db: DB, private readonly now: () => Date) {}

  link(): HubLink | null {
    return getSetting(this.db, 'hub.link') ?? null;
  }

  /**
   * The figure a sale of this patient's year is priced from. Online: the hub's journal, the holds
   * of sales other counters are settling now, and this counter's records the hub has not yet got
   * (kept as the last hub figure). Offline: the last hub figure plus this counter's records after
   * it, or this counter's own figure when the hub never answered for this patient.
   */
  async figure(psnNo: string, year: number): Promise<PoolFigure | null> {
    const link = this.link();
    if (!link) return null;
    const cursor = pushedSeq(this.db);
    const fig = await groupPoolFigure(link, psnNo, year, HUB_POOL_TIMEOUT_MS);
    if (fig) {
      const asOf = this.now().toISOString();
      const hub = fen(new Decimal(fig.fund).plus(fig.held));
      saveHubFigure(this.db, psnNo, year, { fund: hub, pushedSeq: cursor, asOf });
      const unpushed = unpushedFund(this.db, psnNo, year);
      return { source: 'group', used: fen(new Decimal(hub).plus(unpushed)), asOf, psnNo, year, unpushed };
    }
    const last = lastHubFigure(this.db, psnNo, year);
    const unpushed = unpushedFund(this.db, psnNo, year);
    if (!last) return { source: 'counter', used: '0.00', asOf: null, psnNo, year, unpushed };
    return { source: 'counter', used: fen(new Decimal(last.fund).plus(fundAfterSeq(this.db, psnNo, year, last.pushedSeq))), asOf: last.asOf, psnNo, year, unpushed };
  }

  /**
   * Holds a sale's fund amount against the patient's year at the hub (two counters settling the
   * same patient at once cannot together pass the cap). Granted: with the hub's figure as it was
   * before this hold (the caller re-prices only when it differs). Refused: another counter took it.
   * null: the hub did not answer (the sale settles on its own figure).
   */
  async hold(fig: PoolFigure, saleId: string, amount: string, capLimit: string): Promise<HoldOutcome> {
    const link = this.link();
    if (!link || fig.source !== 'group') return null;
    const cap = fen(new Decimal(capLimit).minus(fig.unpushed));
    const reply = await holdPool(link, { saleId, psnNo: fig.psnNo, year: fig.year, amount, cap }, HUB_POOL_TIMEOUT_MS);
    if (!reply) return null;
    if (!reply.granted) return { granted: false };
    return { granted: true, used: fen(new Decimal(reply.fund).plus(reply.held).plus(fig.unpushed)) };
  }

  async release(saleId: string): Promise<void> {
    const link = this.link();
    if (link) await releaseHold(link, saleId);
  }

  /** Claims a sale's trace codes for the group before it commits. */
  async claim(settlementId: string, codes: readonly string[]): Promise<ClaimOutcome> {
    const link = this.link();
    if (!link || codes.length === 0) return { claimed: true };
    try {
      const reply = await claimTraceCodes(link, settlementId, [...codes], HUB_CLAIM_TIMEOUT_MS);
      return reply.refused.length > 0 ? { claimed: false, refused: reply.refused } : { claimed: true };
    } catch (e) {
      // Offline-first: the local journal still refuses a code sold here; the codes are claimed when the hub is back.
      if (e instanceof HubUnavailable || e instanceof HubRefused) return { claimed: false, offline: true };
      throw e;
    }
  }

  /** What the sale's own transaction writes of the hub link: the figure it was priced from, and codes still to claim. */
  recordSale(settlementId: string, fig: PoolFigure | null, unclaimedCodes: readonly string[]): void {
    if (fig) recordSettlementPoolFigure(this.db, settlementId, { source: fig.source, used: fig.used, asOf: fig.asOf });
    if (unclaimedCodes.length > 0) addPendingTraceClaims(this.db, settlementId, unclaimedCodes, this.now().toISOString());
  }
}

/**
 * Claims at the hub the trace codes of sales settled while it was away (HubSync runs it each
 * round). A code the hub says another counter sold first is kept as a conflict for the operator
 * and the report; the sale itself is never edited. Returns how many codes were claimed and in conflict.
 */
export async function claimPendingTraceCodes(db: DB, link: HubLink, now: () => Date = () => new Date()): Promise<{ claimed: number; conflicts: number }> {
  const out = { claimed: 0, conflicts: 0 };
  for (const p of pendingTraceClaims(db)) {
    const reply = await claimTraceCodes(link, p.settlementId, p.codes, 10_000);
    settleTraceClaims(db, p.settlementId, reply.claimed, reply.refused, now().toISOString());
    out.claimed += reply.claimed.length;
    out.conflicts += reply.refused.length;
  }
  return out;
}
