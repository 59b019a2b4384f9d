// The uploader: drains the outbox to the platform. Per row (one settlement record) it sends the
// current step's message. Rows are marked 'sending' in one transaction, sent in parallel (each
// message with its own msgid and reply), and each outcome is applied as soon as it arrives, so a
// reply that is slow to come never holds back the other sales (no head-of-line blocking).
// Every business message carries the operator's sign_no of the day (9001, signed in on first use;
// a refused sign_no triggers one re-sign-in, never a loop).
//   reply infcode 0, matching the message → the step is acked (after the last step: acked)
//   reply infcode 0 for another message   → ambiguous (a replayed or misrouted reply is no ack)
//   reply infcode -1       → rejected with the platform's reason (a business refusal; never retried)
//   connection never made  → back to pending, backoff
//   timeout / reset / 5xx / unreadable reply → ambiguous, backoff; before anything else is sent
//     for that row the outcome is resolved: 2601 冲正 of the msgid, then a new msgid
//   N failures in a row, or a 冲正 the platform refuses → dead: an operator task naming the
//     message (kept, revivable, never deleted)
// Rows wait for their backoff and for their predecessor in the sale's chain individually.
import { Decimal, fen } from '../money/decimal.ts';
import { loadPlatformConfig, type PlatformConfig, type RegionConfig } from '../platform/config.ts';
import { buildEnvelope, isKnownInfno, outputSchemaFor, AnyOutputSchema, type Envelope, type EnvelopeContext, type Reply, type SettleOutput, type SettlementFigures } from '../platform/envelope.ts';
import { buildInput, type MappingContext, type StoredPatient } from '../platform/mapping.ts';
import { cryptoOption, PlatformClient, type SendOutcome } from '../platform/client.ts';
import type { PlatformKeys } from '../platform/crypto.ts';
import { isOwnSimulator } from '../platform/hints.ts';
import { isSignInRefusal, PlatformSession, type SignInError } from './session.ts';
import type { DB } from '../store/db.ts';
import { getStaffCode } from '../store/staff.ts';
import { getSettlement, linesOf, returnLinesAgainst, type LineRow, type SettlementRow } from '../store/journal.ts';
import { keptLines } from '../settlement/partial-return.ts';
import {
  currentMessage,
  getOutbox,
  getTerminal,
  insertMessage,
  insertPlatformSettlement,
  deadOutboxRows,
  messageWithRefmsgid,
  nextDueAt,
  nextMsgid,
  platformSettlementBySetlId,
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
  /** Kept for callers of the former two-lane drain; the drain now refills as replies arrive. */
  lanes?: number;
  /** Failures in a row before a message is dead (default: the region's maxFailures). */
  maxFailures?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** This counter's keys for a region that requires national cryptography (default: the LBC_PLATFORM_KEYS file). */
  keys?: PlatformKeys | null;
  /** Send the simulator's hint node (facts the national messages do not carry). Default: only to our own simulator (core/platform/hints.ts). */
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
  | { type: 'unresolvable'; error: string }
  | { type: 'skipped'; note: string }
  | { type: 'broken'; error: string };

interface WorkCtx {
  region: RegionConfig;
  envCtx: EnvelopeContext;
  psnNo: string;
  record: SettlementRow;
  /** What the sent message said, for matching the reply to it. */
  sent?: { medfee?: string; iptOtpNo?: string; lines?: Map<string, string> };
}

interface Work {
  row: OutboxRow;
  msg: MessageRow;
  step: Step;
  steps: Step[];
  mode: 'send' | 'resolve';
  envelope?: Envelope;
  /** The envelope as sent (and as stored in outbox_message.request_json). */
  body?: string;
  ctx?: WorkCtx;
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

const emptyReport = (): CycleReport => ({ picked: 0, acked: 0, stepsAcked: 0, rejected: 0, ambiguous: 0, notDelivered: 0, resolved: 0, dead: 0 });

export function backoffDelay(failures: number, random: () => number, baseMs = 1000, capMs = 300_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  // "Equal jitter": half fixed, half random, so retries of many rows spread out but never collapse to zero.
  return Math.round(exp / 2 + random() * (exp / 2));
}



/** The operator's national codes (staff_code), in the mapping's names. */
function staffCodes(db: DB, operatorId: string): MappingContext['staff'] {
  const s = getStaffCode(db, operatorId);
  return s ? { drCode: s.drCode, ...(s.drName ? { drName: s.drName } : {}), deptCode: s.deptCode, deptName: s.deptName, ...(s.caty ? { caty: s.caty } : {}) } : null;
}

const SETTLE_INFNOS = new Set(['2207', '2102', '2102A']);
const REVERSE_INFNOS = new Set(['2208', '2103']);

export class Uploader {
  readonly client: PlatformClient;
  private readonly config: PlatformConfig;
  private readonly now: () => number;
  private readonly random: () => number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private recovered = false;
  readonly session: PlatformSession;
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
      ...cryptoOption(this.config, o.keys),
    });
    this.session = new PlatformSession(db, this.client, this.config, () => new Date(this.now()), (l) => this.log(l));
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

  // ---------- sign-in (9001 / 9002) ----------

  /** The operator's sign_no for today (9001 on first use; `refused` triggers one re-sign-in). */
  signNo(envCtx: EnvelopeContext, refused?: string): Promise<string> {
    return this.session.signNo(envCtx, refused);
  }

  /** 9002 for an operator's open sign-ins (sign-out, shift end), or everyone's. */
  signOut(operatorId?: string): Promise<number> {
    return this.session.signOut(operatorId);
  }

  // ---------- planning ----------

  private contextFor(row: OutboxRow): { record: SettlementRow; sale: SettlementRow; region: RegionConfig; patient: StoredPatient; envCtx: EnvelopeContext } {
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
        devNo: getTerminal(this.db)?.devNo ?? '',
      },
    };
  }

  /**
   * The lines a settle step carries: the sale's, or for a return what the patient kept (lines
   * returned in part go with the quantity and amounts left, core/settlement/partial-return.ts).
   */
  private linesToSettle(record: SettlementRow, sale: SettlementRow): LineRow[] {
    const all = linesOf(this.db, sale.id);
    if (record.id === sale.id) return all;
    return keptLines(all, returnLinesAgainst(this.db, sale.id, record.seq));
  }

  private plan(row: OutboxRow, signNos: Map<string, string>): Work | { row: OutboxRow; immediate: Outcome; msg: MessageRow; step: Step; steps: Step[] } {
    const steps = parseSteps(row.steps_json);
    const step = steps[row.step]!;
    const msg = currentMessage(this.db, row.id, row.step)!;
    try {
      const c = this.contextFor(row);
      const signKey = `${c.record.operator_id}\u0000${c.record.institution_code}`;
      const sign = signNos.get(signKey);
      if (sign === undefined) throw new Error('no sign-in');
      const envCtx = { ...c.envCtx, signNo: sign };
      const base: WorkCtx = { region: c.region, envCtx, psnNo: c.patient.psnNo, record: c.record };
      if (row.status === 'ambiguous') {
        const dep = step.action === 'reverse' && row.chain_setl_id ? { setlId: row.chain_setl_id, mdtrtId: row.chain_mdtrt_id } : null;
        return { row, msg, step, steps, mode: 'resolve', aux: [], ctx: base, target: dep };
      }
      let target: Work['target'] = null;
      if (step.action === 'reverse') {
        const dep = row.depends_on ? getOutbox(this.db, row.depends_on) : undefined;
        target = dep?.chain_setl_id ? { setlId: dep.chain_setl_id, mdtrtId: dep.chain_mdtrt_id } : null;
        if (!target) return { row, msg, step, steps, immediate: { type: 'skipped', note: 'nothing standing on the platform to reverse' } };
      }
      const at = new Date(this.now());
      let input: Record<string, unknown>;
      if (msg.request_json) {
        // A msgid already sent goes again with the same content (the platform refuses a reused msgid with other content).
        input = (JSON.parse(msg.request_json) as Envelope).input;
      } else {
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
          hints: this.o.hints ?? (c.region.sendSimulatorHints || isOwnSimulator(this.o.endpoint)),
          at,
          staff: staffCodes(this.db, c.record.operator_id),
          setlId: row.setl_id,
        };
        input = buildInput(step, mctx);
      }
      const envelope = buildEnvelope(step.infno, msg.msgid, input, envCtx, at);
      return { row, msg, step, steps, mode: 'send', envelope, body: JSON.stringify(envelope), aux: [], target, ctx: { ...base, sent: sentFacts(input) } };
    } catch (e) {
      return { row, msg, step, steps, immediate: { type: 'broken', error: (e as Error).message } };
    }
  }

  /** Signs in every operator the rows need (9001 once per operator and day); rows whose sign-in failed get that as their outcome. */
  private async signInFor(rows: OutboxRow[]): Promise<{ signNos: Map<string, string>; failed: Map<string, Outcome> }> {
    const signNos = new Map<string, string>();
    const failed = new Map<string, Outcome>();
    const wanted = new Map<string, EnvelopeContext>();
    for (const r of rows) {
      const rec = getSettlement(this.db, r.settlement_id);
      if (!rec) continue;
      const key = `${rec.operator_id}\u0000${rec.institution_code}`;
      if (wanted.has(key)) continue;
      try {
        wanted.set(key, this.contextFor(r).envCtx);
      } catch {
        signNos.set(key, ''); // plan() reports the row as broken
      }
    }
    await Promise.all(
      [...wanted].map(async ([key, envCtx]) => {
        try {
          signNos.set(key, await this.signNo(envCtx));
        } catch (e) {
          const err = e as SignInError;
          failed.set(key, err.notDelivered ? { type: 'not-delivered', error: err.message } : { type: 'resolve-failed', error: err.message });
        }
      }),
    );
    return { signNos, failed };
  }

  // ---------- one batch ----------

  /** Picks ready rows, signs their operators in, plans and marks them 'sending' (one transaction). */
  private async take(limit: number, exclude: ReadonlySet<string>): Promise<{ works: Work[]; immediate: { work: Work; outcome: Outcome }[] }> {
    const picked = readyRows(this.db, this.now(), limit + exclude.size).filter((r) => !exclude.has(r.id)).slice(0, limit);
    const works: Work[] = [];
    const immediate: { work: Work; outcome: Outcome }[] = [];
    if (picked.length === 0) return { works, immediate };
    const { signNos, failed } = await this.signInFor(picked);
    // The sign-in was awaited, and meanwhile a row may have left the line: a return cancels a sale
    // not yet sent and takes its place (it then resettles the kept lines with nothing to undo).
    // Such a row must be neither sent nor put back in line, or the whole sale would stand on the
    // platform beside the resettlement. From here to the 'sending' mark nothing is awaited.
    const rows = picked.flatMap((p) => {
      const r = getOutbox(this.db, p.id);
      return r && (r.status === 'pending' || r.status === 'ambiguous') && r.step === p.step ? [r] : [];
    });
    for (const r of rows) {
      const rec = getSettlement(this.db, r.settlement_id);
      const fail = rec ? failed.get(`${rec.operator_id}\u0000${rec.institution_code}`) : undefined;
      const steps = parseSteps(r.steps_json);
      if (fail) {
        const msg = currentMessage(this.db, r.id, r.step)!;
        immediate.push({ work: { row: r, msg, step: steps[r.step]!, steps, mode: 'send', aux: [] }, outcome: fail });
        continue;
      }
      const p = this.plan(r, signNos);
      if ('immediate' in p) immediate.push({ work: { row: p.row, msg: p.msg, step: p.step, steps: p.steps, mode: 'send', aux: [] }, outcome: p.immediate });
      else works.push(p);
    }
    const iso = new Date(this.now()).toISOString();
    // Mark before sending: a crash from here on leaves the rows 'sending', recovered as ambiguous.
    this.db.transaction(() => {
      for (const w of works) {
        const patch: OutboxPatch = { status: 'sending', attempts: w.row.attempts + 1, updated_at: iso };
        if (w.step.action === 'reverse' && w.target) Object.assign(patch, { chain_setl_id: w.target.setlId, chain_mdtrt_id: w.target.mdtrtId });
        updateOutbox(this.db, w.row.id, patch);
        if (w.mode === 'send') updateMessage(this.db, w.msg.msgid, { status: 'sending', request_json: w.body!, sent_at: iso });
        else {
          const code = w.ctx!.envCtx.institution.code;
          w.aux = [nextMsgid(this.db, code, new Date(this.now())), nextMsgid(this.db, code, new Date(this.now()))];
        }
      }
    })();
    return { works, immediate };
  }

  /** Takes up to batchSize ready rows, sends their current messages in parallel, applies each outcome as it arrives. */
  async cycle(): Promise<CycleReport> {
    if (!this.recovered) this.recover();
    const report = emptyReport();
    const { works, immediate } = await this.take(this.o.batchSize ?? 256, new Set());
    report.picked = works.length + immediate.length;
    if (report.picked === 0) return report;
    this.applyAll(immediate, report);
    await Promise.all(works.map(async (w) => this.applyAll([{ work: w, outcome: await this.execute(w) }], report)));
    return report;
  }

  private applyAll(items: { work: Work; outcome: Outcome }[], report: CycleReport): void {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const { work, outcome } of items) this.apply(work, outcome, report);
    })();
  }

  /** Sends one work's message (or resolves its unknown outcome); never throws. */
  private async execute(w: Work): Promise<Outcome> {
    try {
      if (w.mode === 'resolve') return await this.resolve(w);
      const path = w.ctx?.region.transport.path;
      const schema = isKnownInfno(w.step.infno) ? outputSchemaFor(w.step.infno) : AnyOutputSchema;
      let sent = await this.client.send(w.body!, schema, path);
      if (sent.kind === 'reply' && sent.reply.infcode === -1 && isSignInRefusal(sent.reply.err_msg) && w.envelope) {
        // The sign_no was refused before the message was processed: sign in once more and send the same message again.
        const fresh = await this.signNo(w.ctx!.envCtx, w.envelope.sign_no).catch((e: Error) => e);
        if (fresh instanceof Error) return { type: 'not-delivered', error: `sign_no refused (${sent.reply.err_msg}); ${fresh.message}` };
        w.envelope = { ...w.envelope, sign_no: fresh };
        w.body = JSON.stringify(w.envelope);
        sent = await this.client.send(w.body, schema, path);
        if (sent.kind === 'reply' && sent.reply.infcode === -1 && isSignInRefusal(sent.reply.err_msg)) {
          return { type: 'not-delivered', error: `sign_no refused again after a new 9001 sign-in: ${sent.reply.err_msg}` };
        }
      }
      if (w.step.action === 'settle' && testFault() === 'double-send') await this.sendCopy(w, schema, path);
      return this.toOutcome(w, sent);
    } catch (e) {
      return { type: 'ambiguous', error: `unexpected: ${(e as Error).message}` };
    }
  }

  /** The double-send test fault: the same settlement once more under a new msgid (the crash test must see it). */
  private async sendCopy(w: Work, schema: Parameters<PlatformClient['send']>[1], path: string | undefined): Promise<void> {
    const msgid = this.db.transaction(() => nextMsgid(this.db, w.ctx!.envCtx.institution.code, new Date(this.now())))();
    await this.client.send(JSON.stringify({ ...w.envelope, msgid }), schema, path);
  }

  private toOutcome(w: Work, s: SendOutcome): Outcome {
    if (s.kind === 'not-delivered') return { type: 'not-delivered', error: s.error };
    if (s.kind === 'ambiguous') return { type: 'ambiguous', error: s.error };
    if (s.reply.infcode !== 0) return { type: 'refused', reply: s.reply, body: s.body };
    const mismatch = this.mismatch(w, s.reply);
    if (mismatch) return { type: 'ambiguous', error: `reply does not answer ${w.msg.msgid}: ${mismatch}` };
    return { type: 'ack', reply: s.reply, body: s.body };
  }

  /**
   * Is this reply the answer to this message? The reply does not echo our msgid, so it is matched
   * by what it must carry: medins_setl_id (which holds the sender's msgid), the person, the visit,
   * the detail lines, and amounts within the variance rules (the platform may split differently,
   * recorded as a variance, but never change the total or split more than the total).
   */
  private mismatch(w: Work, reply: Reply): string | null {
    const infno = w.step.infno;
    const ctx = w.ctx!;
    const out = reply.output as Record<string, any>;
    if (infno === '2201') {
      if (out.data.psn_no !== ctx.psnNo) return `psn_no ${out.data.psn_no} is not ${ctx.psnNo}`;
      if (ctx.sent?.iptOtpNo && out.data.ipt_otp_no !== ctx.sent.iptOtpNo) return `ipt_otp_no ${out.data.ipt_otp_no} is not ${ctx.sent.iptOtpNo}`;
      return null;
    }
    if (infno === '2204') {
      const sent = ctx.sent?.lines ?? new Map<string, string>();
      const got = out.result as { feedetl_sn: string; det_item_fee_sumamt: string }[];
      if (got.length !== sent.size) return `${got.length} result lines for ${sent.size} sent`;
      for (const l of got) {
        const mine = sent.get(l.feedetl_sn);
        if (mine === undefined) return `feedetl_sn ${l.feedetl_sn} was not sent`;
        if (!new Decimal(mine).equals(new Decimal(l.det_item_fee_sumamt))) return `line ${l.feedetl_sn} amount ${l.det_item_fee_sumamt} is not ${mine}`;
      }
      return null;
    }
    if (infno === '2101') {
      // A pre-settlement answers the sale as sent: the person, the total, a split within it.
      const f = (out as { figures: SettlementFigures }).figures;
      if (f.psnNo !== null && f.psnNo !== ctx.psnNo) return `psn_no ${f.psnNo} is not ${ctx.psnNo}`;
      if (ctx.sent?.medfee && !new Decimal(f.medfee).equals(new Decimal(ctx.sent.medfee))) return `medfee_sumamt ${f.medfee} is not the ${ctx.sent.medfee} sent`;
      if (!new Decimal(f.fund).plus(new Decimal(f.patient)).equals(new Decimal(f.medfee))) return `fund ${f.fund} + patient ${f.patient} is not medfee_sumamt ${f.medfee}`;
      return null;
    }
    if (SETTLE_INFNOS.has(infno) || REVERSE_INFNOS.has(infno)) {
      const f = (out as SettleOutput).figures;
      if (f.medinsSetlId !== w.msg.msgid) return `medins_setl_id ${f.medinsSetlId} is not this message's msgid`;
      if (f.psnNo !== null && f.psnNo !== ctx.psnNo) return `psn_no ${f.psnNo} is not ${ctx.psnNo}`;
      const medfee = new Decimal(f.medfee).abs();
      const fund = new Decimal(f.fund).abs();
      const patient = new Decimal(f.patient).abs();
      if (fund.greaterThan(medfee)) return `fund_pay_sumamt ${f.fund} exceeds medfee_sumamt ${f.medfee}`;
      if (!fund.plus(patient).equals(medfee)) return `fund ${f.fund} + patient ${f.patient} is not medfee_sumamt ${f.medfee}`;
      if (SETTLE_INFNOS.has(infno)) {
        if (new Decimal(f.medfee).isNegative()) return `a settlement with a negative total ${f.medfee}`;
        if (ctx.sent?.medfee && !medfee.equals(new Decimal(ctx.sent.medfee))) return `medfee_sumamt ${f.medfee} is not the ${ctx.sent.medfee} sent`;
        if (infno === '2207' && w.row.mdtrt_id && f.mdtrtId !== w.row.mdtrt_id) return `mdtrt_id ${f.mdtrtId} is not ${w.row.mdtrt_id}`;
      } else if (w.target) {
        if (w.target.mdtrtId && f.mdtrtId && f.mdtrtId !== w.target.mdtrtId) return `mdtrt_id ${f.mdtrtId} is not the reversed visit ${w.target.mdtrtId}`;
        const original = platformSettlementBySetlId(this.db, w.target.setlId);
        if (original && !medfee.equals(new Decimal(original.medfee_sumamt).abs())) return `reversal total ${f.medfee} is not the reversed ${original.medfee_sumamt}`;
      }
      return null;
    }
    return null;
  }

  /**
   * Settles an unknown outcome. The default is 2601 冲正 of the msgid ({psn_no, omsgid, oinfno}),
   * then the step starts over under a new msgid. Where the region configures a real query (5203,
   * keyed by setl_id), a reversal of a known settlement is first looked up: still standing means
   * the reversal never took effect, and it is resent as it was.
   */
  private async resolve(w: Work): Promise<Outcome> {
    const { region, envCtx, psnNo } = w.ctx!;
    const amb = region.ambiguity;
    const at = new Date(this.now());
    if (amb.query && w.step.action === 'reverse' && w.target) {
      const q = await this.client.send(
        buildEnvelope(amb.query.infno, w.aux[0]!, { data: { psn_no: psnNo, setl_id: w.target.setlId, mdtrt_id: w.target.mdtrtId ?? '' } }, envCtx, at),
        outputSchemaFor('5203'),
        region.transport.path,
      );
      if (q.kind === 'reply' && q.reply.infcode === 0 && q.reply.output.figures.setlId === w.target.setlId && q.reply.output.figures.refdSetlFlag === '0') {
        return { type: 'resend', note: `${amb.query.infno}: ${w.target.setlId} still stands; resending ${w.msg.msgid}` };
      }
      // Reversed, refused or unreadable: fall through to 2601, which undoes whatever the message did.
    }
    if (amb.reversible.includes(w.msg.infno)) {
      const r = await this.client.send(
        buildEnvelope(amb.reverseInfno, w.aux[1]!, { data: { psn_no: psnNo, omsgid: w.msg.msgid, oinfno: w.msg.infno } }, envCtx, at),
        outputSchemaFor('2601'),
        region.transport.path,
      );
      if (r.kind !== 'reply') return { type: 'resolve-failed', error: `${amb.reverseInfno} for ${w.msg.msgid} (${w.msg.infno}): ${r.error}` };
      if (r.reply.infcode !== 0) {
        if (isSignInRefusal(r.reply.err_msg)) {
          await this.signNo(envCtx, envCtx.signNo).catch(() => '');
          return { type: 'resolve-failed', error: `${amb.reverseInfno} for ${w.msg.msgid}: sign_no refused (${r.reply.err_msg}); signed in again` };
        }
        return { type: 'unresolvable', error: `platform outcome of ${w.msg.infno} message ${w.msg.msgid} unknown; ${amb.reverseInfno} 冲正 refused: ${r.reply.err_msg}` };
      }
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
    if (o.type === 'ack' && o.reply.inf_refmsgid) {
      // The platform's reply id is its own: one already taken by another message means a replayed reply.
      const owner = messageWithRefmsgid(this.db, o.reply.inf_refmsgid);
      if (owner && owner !== w.msg.msgid) o = { type: 'ambiguous', error: `reply ${o.reply.inf_refmsgid} already answered message ${owner}` };
    }
    switch (o.type) {
      case 'ack':
        updateMessage(this.db, w.msg.msgid, { status: 'acked', reply_json: o.body, replied_at: iso, error: null, inf_refmsgid: o.reply.inf_refmsgid || null, ...(w.body ? { request_json: w.body } : {}) });
        if (w.mode === 'resolve') report.resolved++;
        this.ackStep(w, o.reply, report);
        return;
      case 'skipped':
        updateMessage(this.db, w.msg.msgid, { status: 'skipped', error: o.note, replied_at: iso });
        this.advance(w, {}, report);
        return;
      case 'refused':
        updateMessage(this.db, w.msg.msgid, { status: 'refused', reply_json: o.body, replied_at: iso, error: o.reply.err_msg, inf_refmsgid: o.reply.inf_refmsgid || null });
        updateOutbox(this.db, w.row.id, { status: 'rejected', reject_code: w.msg.infno, reject_reason: o.reply.err_msg, last_error: o.reply.err_msg, updated_at: iso });
        if (w.mode === 'resolve') report.resolved++;
        report.rejected++;
        return;
      case 'not-delivered':
        updateMessage(this.db, w.msg.msgid, { status: 'planned', error: o.error });
        report.notDelivered++;
        this.fail(w, w.row.status === 'ambiguous' ? 'ambiguous' : 'pending', o.error, report);
        return;
      case 'ambiguous':
        updateMessage(this.db, w.msg.msgid, { status: 'ambiguous', error: o.error, replied_at: iso });
        report.ambiguous++;
        this.fail(w, 'ambiguous', o.error, report, { maybe_delivered: 1 });
        return;
      case 'resolve-failed':
        report.ambiguous++;
        this.fail(w, w.row.status === 'ambiguous' ? 'ambiguous' : 'pending', o.error, report);
        return;
      case 'unresolvable':
        // Not dropped, not retried blindly: the operator sees the message and what the platform said.
        updateOutbox(this.db, w.row.id, { status: 'dead', maybe_delivered: 1, last_error: o.error, updated_at: iso });
        report.dead++;
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
      const f: SettlementFigures = s.figures;
      const sign = (v: string | null | undefined) => {
        const d = new Decimal(v ?? '0');
        return fen(w.step.action === 'reverse' ? d.abs().negated() : d);
      };
      insertPlatformSettlement(this.db, {
        msgid: w.msg.msgid,
        settlement_id: w.row.settlement_id,
        role: w.step.action,
        infno: w.msg.infno,
        setl_id: f.setlId,
        mdtrt_id: f.mdtrtId ?? w.row.mdtrt_id,
        medfee_sumamt: sign(f.medfee),
        fund_pay_sumamt: sign(f.fund),
        psn_part_amt: sign(f.patient),
        acct_pay: sign(f.acct),
        inscp_scp_amt: sign(f.inScope),
        setlinfo_json: JSON.stringify(s.setlinfo),
        setldetail_json: JSON.stringify(s.setldetail),
        detlcutinfo_json: JSON.stringify(s.detlcutinfo),
        received_at: iso,
      });
      if (w.step.action === 'settle') Object.assign(patch, { setl_id: f.setlId, chain_setl_id: f.setlId, chain_mdtrt_id: f.mdtrtId ?? w.row.mdtrt_id });
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
   * Runs until no row is ready now (rows waiting for a backoff are left). Up to `concurrency`
   * messages are in flight; as each reply arrives its outcome is applied and the freed slot is
   * refilled with the next ready row, so one stuck reply holds back nothing but its own sale.
   * `maxBatches` bounds how many times rows are taken.
   */
  async drainOnce(maxBatches = Number.MAX_SAFE_INTEGER): Promise<CycleReport> {
    const total = emptyReport();
    if (!this.recovered) this.recover();
    const slots = Math.max(1, this.o.concurrency ?? 32);
    const batch = Math.max(1, this.o.batchSize ?? 256);
    const inFlight = new Map<string, Promise<void>>();
    const done: { work: Work; outcome: Outcome }[] = [];
    let batches = 0;
    let unreachable = false;
    let lastTakeEmpty = false;
    let poke: (() => void) | null = null;
    // Rows are taken and replies applied in groups (each is one transaction, one fsync): a take
    // waits until a quarter of the slots are free, and replies arriving within a few ms share one apply.
    const minTake = Math.max(1, Math.floor(slots / 4));
    for (;;) {
      if (!unreachable && batches < maxBatches && (inFlight.size === 0 || slots - inFlight.size >= minTake)) {
        batches++;
        const { works, immediate } = await this.take(Math.min(batch, slots - inFlight.size), new Set(inFlight.keys()));
        total.picked += works.length + immediate.length;
        lastTakeEmpty = works.length + immediate.length === 0;
        this.applyAll(immediate, total);
        for (const w of works) {
          inFlight.set(
            w.row.id,
            this.execute(w).then((outcome) => {
              done.push({ work: w, outcome });
              inFlight.delete(w.row.id);
              poke?.();
            }),
          );
        }
      }
      if (done.length > 0) {
        if (inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
        const items = done.splice(0);
        const before = total.notDelivered;
        this.applyAll(items, total);
        // Every reply of this round failed to connect: the platform is unreachable, stop taking rows.
        if (total.notDelivered - before === items.length && items.length > 0 && total.acked + total.stepsAcked === 0) unreachable = true;
        continue;
      }
      if (inFlight.size === 0 && (lastTakeEmpty || unreachable || batches >= maxBatches)) break;
      // Wait for a reply, or a short tick to look for rows that became ready meanwhile.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, inFlight.size >= slots ? 1000 : 50);
        poke = () => {
          clearTimeout(t);
          resolve();
        };
      });
      poke = null;
    }
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


/** What a message says that its reply must agree with. */
function sentFacts(input: Record<string, unknown>): WorkCtx['sent'] {
  const i = input as Record<string, any>;
  const medfee = i.druginfo?.medfee_sumamt ?? i.data?.medfee_sumamt;
  const lines = Array.isArray(i.feedetail) ? new Map<string, string>(i.feedetail.map((l: Record<string, unknown>) => [String(l.feedetl_sn), String(l.det_item_fee_sumamt)])) : undefined;
  return { medfee: medfee === undefined ? undefined : String(medfee), iptOtpNo: i.data?.ipt_otp_no === undefined ? undefined : String(i.data.ipt_otp_no), lines };
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
