// The uploader: drains the outbox to the platform. Per row (one settlement record) it sends the
// current step's message; a batch of rows is marked 'sending' in one transaction, sent in
// parallel (each message with its own msgid and reply), and the outcomes applied in one more
// transaction, so throughput does not cost per-message semantics.
//   reply infcode 0        → the step is acked (the row moves on; after the last step: acked)
//   reply infcode -1       → rejected with the platform's reason (a business refusal; never retried)
//   connection never made  → back to pending, backoff
//   timeout / reset / 5xx / unreadable reply → ambiguous, backoff; before anything else is sent
//     for that row the outcome is resolved: query by msgid, or 2601 冲正 then a new msgid
//   N failures in a row    → dead (kept, shown to the operator, revivable, never deleted)
// Rows wait for their backoff and for their predecessor in the sale's chain individually, so
// one stuck message never holds back the others.
import { Decimal, fen } from '../money/decimal.ts';
import { loadPlatformConfig, type PlatformConfig, type RegionConfig } from '../platform/config.ts';
import { buildEnvelope, outputSchemaFor, type Envelope, type Reply, type SettleOutput } from '../platform/envelope.ts';
import { buildInput, type MappingContext, type StoredPatient } from '../platform/mapping.ts';
import { PlatformClient, type SendOutcome } from '../platform/client.ts';
import type { DB } from '../store/db.ts';
import { getSettlement, linesOf, returnedLineIds, type LineRow, type SettlementRow } from '../store/journal.ts';
import {
  currentMessage,
  getOutbox,
  insertMessage,
  insertPlatformSettlement,
  deadOutboxRows,
  nextDueAt,
  nextMsgid,
  readyRows,
  recoverInterruptedSends,
  statusCounts,
  updateMessage,
  updateOutbox,
  type MessageRow,
  type OutboxPatch,
  type OutboxRow,
  type OutboxStatus,
  type Step,
} from '../store/outbox.ts';
import { parseSteps } from './steps.ts';
import { recordVariances } from './variance.ts';
import { testFault } from '../config/test-fault.ts';

export interface UploaderOptions {
  endpoint: string;
  config?: PlatformConfig;
  /** Injectable clock (ms since epoch) and dice, for tests. */
  now?: () => number;
  random?: () => number;
  timeoutMs?: number;
  /** Whole-request deadline and reply-size cap (PlatformClient defaults when absent). */
  deadlineMs?: number;
  maxReplyBytes?: number;
  /** Messages in flight at once. */
  concurrency?: number;
  /** Rows taken per cycle. */
  batchSize?: number;
  /** Cycles in flight at once (default 2: one batch on the wire while another's replies are applied). */
  lanes?: number;
  /** Failures in a row before a message is dead (default: the region's maxFailures). */
  maxFailures?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Send the simulator's hint node (facts the national messages do not carry). */
  hints?: boolean;
  log?: (line: string) => void;
}

type Outcome =
  | { type: 'ack'; reply: Reply; body: string }
  | { type: 'refused'; reply: Reply; body: string }
  | { type: 'not-delivered'; error: string }
  | { type: 'ambiguous'; error: string }
  | { type: 'reissue'; note: string }
  | { type: 'resend'; note: string }
  | { type: 'resolve-failed'; error: string }
  | { type: 'skipped'; note: string }
  | { type: 'broken'; error: string };

interface Work {
  row: OutboxRow;
  msg: MessageRow;
  step: Step;
  steps: Step[];
  mode: 'send' | 'resolve';
  envelope?: Envelope;
  /** The envelope as sent (and as stored in outbox_message.request_json). */
  body?: string;
  ctx?: { region: RegionConfig; envCtx: Parameters<typeof buildEnvelope>[3]; psnNo: string };
  /** Spare msgids for the query and the 2601 of a resolution. */
  aux: string[];
  target?: { setlId: string; mdtrtId: string | null } | null;
}

export interface CycleReport {
  picked: number;
  acked: number;
  stepsAcked: number;
  rejected: number;
  ambiguous: number;
  notDelivered: number;
  resolved: number;
  dead: number;
}

export function backoffDelay(failures: number, random: () => number, baseMs = 1000, capMs = 300_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  // "Equal jitter": half fixed, half random, so retries of many rows spread out but never collapse to zero.
  return Math.round(exp / 2 + random() * (exp / 2));
}

export class Uploader {
  readonly client: PlatformClient;
  private readonly config: PlatformConfig;
  private readonly now: () => number;
  private readonly random: () => number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private recovered = false;
  /** Whether the last probe reached the platform (null: not probed yet). */
  reachable: boolean | null = null;
  checkedAt: string | null = null;

  constructor(
    private readonly db: DB,
    private readonly o: UploaderOptions,
  ) {
    this.config = o.config ?? loadPlatformConfig();
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.client = new PlatformClient(o.endpoint, {
      timeoutMs: o.timeoutMs ?? 15_000,
      deadlineMs: o.deadlineMs,
      maxReplyBytes: o.maxReplyBytes,
      maxSockets: o.concurrency ?? 32,
    });
  }

  private log(line: string): void {
    this.o.log?.(line);
  }

  /** Rows left 'sending' by a crash become ambiguous (once per uploader). */
  recover(): number {
    this.recovered = true;
    const n = recoverInterruptedSends(this.db, new Date(this.now()).toISOString());
    if (n > 0) this.log(`recovered ${n} interrupted send(s) as ambiguous`);
    return n;
  }

  // ---------- planning ----------

  private contextFor(row: OutboxRow): { record: SettlementRow; sale: SettlementRow; region: RegionConfig; patient: StoredPatient; envCtx: Parameters<typeof buildEnvelope>[3] } {
    const record = getSettlement(this.db, row.settlement_id);
    if (!record) throw new Error(`outbox row ${row.id} has no settlement ${row.settlement_id}`);
    const sale = record.original_id ? getSettlement(this.db, record.original_id)! : record;
    const region = this.config.region(sale.policy_id);
    const patient = JSON.parse(sale.patient_json) as StoredPatient;
    const mdtrtarea = patient.region ?? region.mdtrtareaAdmvs;
    return {
      record,
      sale,
      region,
      patient,
      envCtx: {
        region,
        mdtrtareaAdmvs: mdtrtarea,
        insuplcAdmdvs: patient.insuplcAdmdvs ?? mdtrtarea,
        institution: { code: record.institution_code, name: record.institution_name },
        operator: { id: record.operator_id, name: record.operator_name },
      },
    };
  }

  /** The lines a settle step carries: the sale's, or for a return the ones the patient kept. */
  private linesToSettle(record: SettlementRow, sale: SettlementRow): LineRow[] {
    const all = linesOf(this.db, sale.id);
    if (record.id === sale.id) return all;
    const returned = returnedLineIds(this.db, sale.id, record.seq);
    return all.filter((l) => !returned.has(l.id));
  }

  private plan(row: OutboxRow): Work | { row: OutboxRow; immediate: Outcome; msg: MessageRow; step: Step; steps: Step[] } {
    const steps = parseSteps(row.steps_json);
    const step = steps[row.step]!;
    const msg = currentMessage(this.db, row.id, row.step)!;
    try {
      const c = this.contextFor(row);
      if (row.status === 'ambiguous') {
        return { row, msg, step, steps, mode: 'resolve', aux: [], ctx: { region: c.region, envCtx: c.envCtx, psnNo: c.patient.psnNo } };
      }
      let target: Work['target'] = null;
      if (step.action === 'reverse') {
        const dep = row.depends_on ? getOutbox(this.db, row.depends_on) : undefined;
        target = dep?.chain_setl_id ? { setlId: dep.chain_setl_id, mdtrtId: dep.chain_mdtrt_id } : null;
        if (!target) return { row, msg, step, steps, immediate: { type: 'skipped', note: 'nothing standing on the platform to reverse' } };
      }
      const lines = this.linesToSettle(c.record, c.sale);
      const sum = (f: (l: LineRow) => string) => fen(lines.reduce((a, l) => a.plus(new Decimal(f(l))), new Decimal(0)));
      const mctx: MappingContext = {
        region: c.region,
        record: c.record,
        sale: c.sale,
        patient: c.patient,
        lines,
        amounts: { total: sum((l) => l.total), inScope: sum((l) => l.in_scope) },
        mdtrtId: row.mdtrt_id,
        target,
        hints: this.o.hints ?? c.region.sendSimulatorHints,
        at: new Date(this.now()),
      };
      const envelope = buildEnvelope(step.infno, msg.msgid, buildInput(step, mctx), c.envCtx, new Date(this.now()));
      return { row, msg, step, steps, mode: 'send', envelope, body: JSON.stringify(envelope), aux: [], target, ctx: { region: c.region, envCtx: c.envCtx, psnNo: c.patient.psnNo } };
    } catch (e) {
      return { row, msg, step, steps, immediate: { type: 'broken', error: (e as Error).message } };
    }
  }

  // ---------- one cycle ----------

  /** Takes up to batchSize ready rows, sends their current messages in parallel, applies the outcomes. */
  async cycle(): Promise<CycleReport> {
    if (!this.recovered) this.recover();
    const report: CycleReport = { picked: 0, acked: 0, stepsAcked: 0, rejected: 0, ambiguous: 0, notDelivered: 0, resolved: 0, dead: 0 };
    const rows = readyRows(this.db, this.now(), this.o.batchSize ?? 256);
    report.picked = rows.length;
    if (rows.length === 0) return report;
    const planned = rows.map((r) => this.plan(r));
    const works: Work[] = [];
    const immediate: { work: Work; outcome: Outcome }[] = [];
    for (const p of planned) {
      if ('immediate' in p) immediate.push({ work: { row: p.row, msg: p.msg, step: p.step, steps: p.steps, mode: 'send', aux: [] }, outcome: p.immediate });
      else works.push(p);
    }
    const iso = () => new Date(this.now()).toISOString();
    // Mark before sending: a crash from here on leaves the rows 'sending', recovered as ambiguous.
    this.db.transaction(() => {
      for (const w of works) {
        const patch: OutboxPatch = { status: 'sending', attempts: w.row.attempts + 1, updated_at: iso() };
        if (w.step.action === 'reverse' && w.target) Object.assign(patch, { chain_setl_id: w.target.setlId, chain_mdtrt_id: w.target.mdtrtId });
        updateOutbox(this.db, w.row.id, patch);
        if (w.mode === 'send') updateMessage(this.db, w.msg.msgid, { status: 'sending', request_json: w.body!, sent_at: iso() });
        else {
          const code = w.ctx!.envCtx.institution.code;
          w.aux = [nextMsgid(this.db, code, new Date(this.now())), nextMsgid(this.db, code, new Date(this.now()))];
        }
      }
    })();
    const outcomes = await this.runAll(works);
    this.db.transaction(() => {
      for (const { work, outcome } of [...immediate, ...works.map((w, i) => ({ work: w, outcome: outcomes[i]! }))]) this.apply(work, outcome, report);
    })();
    return report;
  }

  private async runAll(works: Work[]): Promise<Outcome[]> {
    const out: Outcome[] = new Array(works.length);
    let next = 0;
    const lanes = Math.max(1, Math.min(this.o.concurrency ?? 32, works.length));
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (;;) {
          const i = next++;
          if (i >= works.length) return;
          const w = works[i]!;
          out[i] = w.mode === 'send' ? toOutcome(await this.client.send(w.body!, outputSchemaFor(w.step.action), w.ctx?.region.transport.path)) : await this.resolve(w);
          if (w.mode === 'send' && w.step.action === 'settle' && testFault() === 'double-send') await this.sendCopy(w);
        }
      }),
    );
    return out;
  }

  /** The double-send test fault: the same settlement once more under a new msgid (the crash test must see it). */
  private async sendCopy(w: Work): Promise<void> {
    const msgid = this.db.transaction(() => nextMsgid(this.db, w.ctx!.envCtx.institution.code, new Date(this.now())))();
    await this.client.send(JSON.stringify({ ...w.envelope, msgid }), outputSchemaFor(w.step.action), w.ctx?.region.transport.path);
  }

  /** Settles an unknown outcome: ask the platform what became of the msgid, or 冲正 it (2601) and start over with a new msgid. */
  private async resolve(w: Work): Promise<Outcome> {
    const { region, envCtx, psnNo } = w.ctx!;
    const amb = region.ambiguity;
    const at = new Date(this.now());
    if (amb.query) {
      const q = await this.client.send(buildEnvelope(amb.query.infno, w.aux[0]!, { data: { omsgid: w.msg.msgid, oinfno: w.msg.infno, psn_no: psnNo } }, envCtx, at), outputSchemaFor('query'), region.transport.path);
      if (q.kind !== 'reply') return { type: 'resolve-failed', error: `query ${amb.query.infno}: ${q.error}` };
      if (q.reply.infcode !== 0) return { type: 'resolve-failed', error: `query ${amb.query.infno} refused: ${q.reply.err_msg}` };
      const info = (q.reply.output as { msginfo: { status: string; output?: unknown; infcode?: number } }).msginfo;
      if (info.status === 'done') {
        const parsed = outputSchemaFor(w.step.action).safeParse(info.output ?? {});
        if (!parsed.success) return { type: 'resolve-failed', error: `query ${amb.query.infno}: the stored reply does not parse` };
        const reply: Reply = { infcode: 0, inf_refmsgid: q.reply.inf_refmsgid, err_msg: null, warn_msg: 'resolved by query', output: parsed.data, raw: { output: info.output } };
        return { type: 'ack', reply, body: JSON.stringify({ resolvedBy: amb.query.infno, output: info.output }) };
      }
      if (info.status === 'refused') {
        const errMsg = (info.output as { err_msg?: string } | undefined)?.err_msg ?? 'refused';
        const reply: Reply = { infcode: -1, inf_refmsgid: q.reply.inf_refmsgid, err_msg: errMsg, warn_msg: null, output: null, raw: {} };
        return { type: 'refused', reply, body: JSON.stringify({ resolvedBy: amb.query.infno, err_msg: errMsg }) };
      }
      if (info.status === 'reversed') return { type: 'reissue', note: `query: ${w.msg.msgid} was reversed on the platform` };
      // unknown: never arrived (yet). Reverse it so a late arrival is refused, or resend it as is.
    }
    if (amb.reversible.includes(w.msg.infno)) {
      const r = await this.client.send(buildEnvelope(amb.reverseInfno, w.aux[1]!, { data: { psn_no: psnNo, omsgid: w.msg.msgid, oinfno: w.msg.infno } }, envCtx, at), undefined, region.transport.path);
      if (r.kind !== 'reply') return { type: 'resolve-failed', error: `${amb.reverseInfno} for ${w.msg.msgid}: ${r.error}` };
      if (r.reply.infcode !== 0) return { type: 'resolve-failed', error: `${amb.reverseInfno} refused: ${r.reply.err_msg}` };
      return { type: 'reissue', note: `${amb.reverseInfno} reversed ${w.msg.msgid}` };
    }
    return { type: 'resend', note: `${w.msg.infno} is idempotent by msgid; resending ${w.msg.msgid}` };
  }

  // ---------- applying outcomes ----------

  private maxFailures(w: Work): number {
    return this.o.maxFailures ?? w.ctx?.region.maxFailures ?? 12;
  }

  private fail(w: Work, status: 'pending' | 'ambiguous', error: string, report: CycleReport, extra: OutboxPatch = {}): void {
    const failures = w.row.failures + 1;
    const dead = failures >= this.maxFailures(w);
    const delay = backoffDelay(failures, this.random, this.o.backoffBaseMs, this.o.backoffCapMs);
    updateOutbox(this.db, w.row.id, {
      status: dead ? 'dead' : status,
      failures,
      next_attempt_at: this.now() + delay,
      last_error: error,
      updated_at: new Date(this.now()).toISOString(),
      ...extra,
    });
    if (dead) report.dead++;
  }

  private apply(w: Work, o: Outcome, report: CycleReport): void {
    const iso = new Date(this.now()).toISOString();
    switch (o.type) {
      case 'ack':
        updateMessage(this.db, w.msg.msgid, { status: 'acked', reply_json: o.body, replied_at: iso, error: null });
        if (w.mode === 'resolve') report.resolved++;
        this.ackStep(w, o.reply, report);
        return;
      case 'skipped':
        updateMessage(this.db, w.msg.msgid, { status: 'skipped', error: o.note, replied_at: iso });
        this.advance(w, {}, report);
        return;
      case 'refused':
        updateMessage(this.db, w.msg.msgid, { status: 'refused', reply_json: o.body, replied_at: iso, error: o.reply.err_msg });
        updateOutbox(this.db, w.row.id, { status: 'rejected', reject_code: w.msg.infno, reject_reason: o.reply.err_msg, last_error: o.reply.err_msg, updated_at: iso });
        if (w.mode === 'resolve') report.resolved++;
        report.rejected++;
        return;
      case 'not-delivered':
        updateMessage(this.db, w.msg.msgid, { status: 'planned', error: o.error });
        report.notDelivered++;
        this.fail(w, 'pending', o.error, report);
        return;
      case 'ambiguous':
        updateMessage(this.db, w.msg.msgid, { status: 'ambiguous', error: o.error, replied_at: iso });
        report.ambiguous++;
        this.fail(w, 'ambiguous', o.error, report, { maybe_delivered: 1 });
        return;
      case 'resolve-failed':
        report.ambiguous++;
        this.fail(w, 'ambiguous', o.error, report);
        return;
      case 'reissue': {
        updateMessage(this.db, w.msg.msgid, { status: 'reversed', error: o.note, replied_at: iso });
        const institution = getSettlement(this.db, w.row.settlement_id)!.institution_code;
        insertMessage(this.db, { msgid: nextMsgid(this.db, institution, new Date(this.now())), outbox_id: w.row.id, step: w.row.step, attempt: w.msg.attempt + 1, infno: w.msg.infno, status: 'planned' });
        updateOutbox(this.db, w.row.id, { status: 'pending', next_attempt_at: 0, last_error: o.note, updated_at: iso });
        report.resolved++;
        return;
      }
      case 'resend':
        updateMessage(this.db, w.msg.msgid, { status: 'planned', error: o.note });
        updateOutbox(this.db, w.row.id, { status: 'pending', next_attempt_at: 0, last_error: o.note, updated_at: iso });
        report.resolved++;
        return;
      case 'broken':
        updateOutbox(this.db, w.row.id, { status: 'dead', last_error: `cannot build the message: ${o.error}`, updated_at: iso });
        report.dead++;
        return;
    }
  }

  private ackStep(w: Work, reply: Reply, report: CycleReport): void {
    const iso = new Date(this.now()).toISOString();
    const patch: OutboxPatch = {};
    const out = reply.output as Record<string, any>;
    if (w.step.action === 'register') patch.mdtrt_id = String(out.data.mdtrt_id);
    if (w.step.action === 'settle' || w.step.action === 'reverse') {
      const s = out as SettleOutput;
      const sign = (v: string | null | undefined) => {
        const d = new Decimal(v ?? '0');
        return fen(w.step.action === 'reverse' ? d.abs().negated() : d);
      };
      insertPlatformSettlement(this.db, {
        msgid: w.msg.msgid,
        settlement_id: w.row.settlement_id,
        role: w.step.action,
        infno: w.msg.infno,
        setl_id: s.setlinfo.setl_id,
        mdtrt_id: s.setlinfo.mdtrt_id ?? w.row.mdtrt_id,
        medfee_sumamt: sign(s.setlinfo.medfee_sumamt),
        fund_pay_sumamt: sign(s.setlinfo.fund_pay_sumamt),
        psn_part_amt: sign(s.setlinfo.psn_part_amt),
        acct_pay: sign(s.setlinfo.acct_pay),
        inscp_scp_amt: sign(s.setlinfo.inscp_scp_amt),
        setlinfo_json: JSON.stringify(s.setlinfo),
        setldetail_json: JSON.stringify(s.setldetail),
        detlcutinfo_json: JSON.stringify(s.detlcutinfo),
        received_at: iso,
      });
      if (w.step.action === 'settle') Object.assign(patch, { setl_id: s.setlinfo.setl_id, chain_setl_id: s.setlinfo.setl_id, chain_mdtrt_id: s.setlinfo.mdtrt_id ?? w.row.mdtrt_id });
      else Object.assign(patch, { chain_setl_id: null, chain_mdtrt_id: null });
    }
    this.advance(w, patch, report);
  }

  private advance(w: Work, patch: OutboxPatch, report: CycleReport): void {
    const iso = new Date(this.now()).toISOString();
    const step = w.row.step + 1;
    report.stepsAcked++;
    if (step >= w.steps.length) {
      updateOutbox(this.db, w.row.id, { ...patch, step, status: 'acked', failures: 0, last_error: null, acked_at: iso, updated_at: iso });
      recordVariances(this.db, w.row.settlement_id, iso);
      report.acked++;
    } else {
      updateOutbox(this.db, w.row.id, { ...patch, step, status: 'pending', failures: 0, next_attempt_at: 0, last_error: null, updated_at: iso });
    }
  }

  // ---------- draining ----------

  /**
   * Runs cycles until no row is ready now (rows waiting for a backoff are left). With lanes > 1,
   * cycles run side by side (one batch on the wire while another's replies are applied); a lane
   * marks its rows 'sending' before it yields, so lanes never take the same row.
   */
  async drainOnce(maxCycles = Number.MAX_SAFE_INTEGER): Promise<CycleReport> {
    const total: CycleReport = { picked: 0, acked: 0, stepsAcked: 0, rejected: 0, ambiguous: 0, notDelivered: 0, resolved: 0, dead: 0 };
    if (!this.recovered) this.recover();
    let cycles = 0;
    let unreachable = false;
    const lane = async () => {
      while (cycles < maxCycles && !unreachable) {
        cycles++;
        const r = await this.cycle();
        for (const k of Object.keys(total) as (keyof CycleReport)[]) total[k] += r[k];
        if (r.picked === 0) return;
        if (r.notDelivered > 0 && r.notDelivered === r.picked) unreachable = true; // the platform is unreachable: stop hammering it
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.lanes ?? 2) }, lane));
    return total;
  }

  /** Keeps draining in the background: waits for backoffs, probes the endpoint while it is unreachable. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      let downFor = 0;
      while (this.running) {
        let waitMs: number;
        try {
          const r = await this.drainOnce(50);
          if (r.picked > 0 && r.notDelivered === r.picked) {
            downFor++;
            waitMs = backoffDelay(downFor, this.random, this.o.backoffBaseMs, this.o.backoffCapMs);
            // Probe until the endpoint answers, then go straight back to work.
            while (this.running && !(await this.probe())) {
              await this.sleep(waitMs);
              downFor++;
              waitMs = backoffDelay(downFor, this.random, this.o.backoffBaseMs, this.o.backoffCapMs);
            }
            continue;
          }
          downFor = 0;
          const due = nextDueAt(this.db);
          waitMs = due === null ? 1000 : Math.max(0, Math.min(1000, due - this.now()));
          if (r.picked > 0) waitMs = 0;
        } catch (e) {
          this.log(`uploader cycle failed: ${(e as Error).message}`);
          waitMs = 1000;
        }
        if (waitMs > 0) await this.sleep(waitMs);
      }
    })();
  }

  /** Wakes the loop (a new settlement was queued). */
  poke(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  async probe(): Promise<boolean> {
    this.reachable = await this.client.probe();
    this.checkedAt = new Date(this.now()).toISOString();
    return this.reachable;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    this.loop = null;
  }

  close(): void {
    this.client.close();
  }

  counts(date?: string): Record<OutboxStatus, number> {
    return statusCounts(this.db, date);
  }
}

function toOutcome(s: SendOutcome): Outcome {
  if (s.kind === 'not-delivered') return { type: 'not-delivered', error: s.error };
  if (s.kind === 'ambiguous') return { type: 'ambiguous', error: s.error };
  if (s.reply.infcode === 0) return { type: 'ack', reply: s.reply, body: s.body };
  return { type: 'refused', reply: s.reply, body: s.body };
}

/** Puts dead rows back in line (the operator's "retry"): an unknown outcome is resolved first. */
export function reviveDead(db: DB, outboxId?: string, now = Date.now()): number {
  const rows = (outboxId ? [getOutbox(db, outboxId)].filter(Boolean) : deadOutboxRows(db)) as OutboxRow[];
  let n = 0;
  db.transaction(() => {
    for (const row of rows) {
      if (row.status !== 'dead') continue;
      const msg = currentMessage(db, row.id, row.step);
      updateOutbox(db, row.id, { status: msg?.status === 'ambiguous' ? 'ambiguous' : 'pending', failures: 0, next_attempt_at: now, updated_at: new Date(now).toISOString() });
      n++;
    }
  })();
  return n;
}
