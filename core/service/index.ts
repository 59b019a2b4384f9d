// The one façade of the counter: every caller (HTTP plugin API, browser shell, Electron IPC,
// tests) goes through CounterService.call(method, rawInput), which validates the input with the
// method's schema from ./contract.ts and returns the method's output shape.
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { InputError, parseOrThrow, problem } from '../contract/problems.ts';
import type { Institution } from '../contract/institution.ts';
import { serviceDate, wallTime } from '../clock/index.ts';
import { maskCertno } from '../identity/mask.ts';
import { Decimal, fen } from '../money/decimal.ts';
import { loadPolicyBook, type PolicyBook } from '../policy/index.ts';
import type { DB } from '../store/db.ts';
import { getInstitution, getSetting, institutionFields, setInstitution, setSetting } from '../store/settings.ts';
import { catalogItemsByCodes, searchCatalog } from '../store/catalog.ts';
import { listSettlements, returnLinesAgainst, settlementForRequest } from '../store/journal.ts';
import { leftOf } from '../settlement/partial-return.ts';
import type { ReturnLineRef } from '../settlement/contract.ts';
import { CounterLink, poolFigureZh, withPoolFigure, type PoolFigure } from '../hub/counter-link.ts';
import { fundAfterSeq, journalSeq, settlementPoolFigure, traceConflicts, type SettlementPoolFigure } from '../store/hub-link.ts';
import { resolvePatient } from '../patient/index.ts';
import { soldRefusal } from '../sale/dispensed.ts';
import { currentMessage, getOutboxBySettlement, listOutbox, statusCounts } from '../store/outbox.ts';
import { reviveDead } from '../outbox/uploader.ts';
import { insertIdentityDifferences, saveStaffCode } from '../store/staff.ts';
import { identify } from '../identity/index.ts';
import type { DispensedEntry } from '../contract/dispensing.ts';
import { loadPlatformConfig } from '../platform/config.ts';
import { compareWithRoster, type OnlineCertificate, type PlatformIdentity } from '../platform/identification.ts';
import {
  createOperator,
  listOperators,
  setOperatorActive,
  setOperatorPin,
  recordPrint,
  recordSettlementOperator,
  settlementOperator,
  verifyOperator,
  recentSettlementIds,
  catalogCodes,
  hasFullReversal,
  type OperatorRow,
} from '../store/counter.ts';
import { previewReturn, reverse as journalReverse } from '../settlement/reverse.ts';
import { shiftStatement } from '../settlement/shift.ts';
import { closeDay, DayNotReadyError } from '../outbox/dayclose.ts';
import { insertHeldSale, listHeldSales, takeHeldSale } from '../store/payment.ts';
import { PAYMENT_METHOD_ZH } from '../contract/payment.ts';
import { commitRecord } from '../settlement/commit.ts';
import { assertSettleable, checkPayment, quoteSale, readSettlement, salePayableMethods, saleRequestHash, settleSale, type PricedSale, type SettlementReadModel } from '../sale/index.ts';
import type { SaleInput } from '../contract/sale.ts';
import { diagnosisFor, renderDrugList, renderPrescription, renderTestPage, renderPublicList, renderReceipt, renderShiftStatement, type PrintSettlement, type DrugListEntry } from '../print/templates.ts';
import { CONDITION_ZH, INSURANCE_ZH, METHODS, QuoteInput, needsAdmin, OUTBOX_STATE_ZH, REPORT_TITLE_ZH, ROLE_ZH, SUPERVISION_RULE_ZH, type MethodArgs, type MethodName, type MethodOutput, type MethodSpec, type SettlementView } from './contract.ts';
import { catalogHit, findRecord, lookupView, quoteView } from './patients.ts';
import { findPatient } from '../store/roster.ts';
import { documentTitle, explainQuote } from '../policy/explain.ts';
import { OVERRIDE_ROLES, overrideBlock, supplyRules } from '../supervision/index.ts';
import { addDays } from '../supervision/dates.ts';
import { ServiceRefusal } from './errors.ts';
import { SignInGuard, lockoutZh } from './sign-in-guard.ts';
import { addCandidateHere, candidatesHere, fileHere, offerFiling } from './filing.ts';
import { cashSaleHere } from './cash.ts';
import { stockComplianceHere } from './stock.ts';

export { ServiceRefusal };

/** An InputError raised by the journal while writing is a business refusal (409 over HTTP) unless it is one already. */
/** The screen's and host's return lines as the journal takes them (a line id, or a line and its quantity). */
function returnRefs(lines: readonly (string | { lineId: string; quantity: string })[] | undefined): ReturnLineRef[] | null {
  return lines ? lines.map((l) => (typeof l === 'string' ? l : { line: l.lineId, quantity: l.quantity })) : null;
}

function asRefusal(e: unknown): unknown {
  if (e instanceof InputError && !(e instanceof ServiceRefusal)) {
    return new ServiceRefusal(e.code, e.message, e.messageZh, e.problems);
  }
  return e;
}

function refusal(code: string, message: string, messageZh: string, path = ''): ServiceRefusal {
  return new ServiceRefusal(code, message, messageZh, [problem(path, code, message, messageZh)]);
}

function lockedOut(waitMs: number, by: 'operator' | 'source', path: string): ServiceRefusal {
  const s = Math.max(1, Math.ceil(waitMs / 1000));
  return refusal('SIGN_IN_LOCKED', `too many wrong PINs ${by === 'operator' ? 'for this operator' : 'from this source'}: try again in ${s} s`, lockoutZh(waitMs), path);
}

export interface PlatformLink {
  endpoint(): string;
  /** 1101 + 5301 for a certificate (online identification); absent when the counter cannot query the platform. */
  identify?(inst: Institution, cert: OnlineCertificate, preferredInsutype: string | null): Promise<PlatformIdentity | null>;
  /** Probes the real endpoint (never trusts an "online" flag); null when no endpoint is set. */
  reachable(): boolean | null;
  checkedAt(): string | null;
}

export interface ServiceOptions {
  db: DB;
  book?: PolicyBook;
  /** Service date/time source (tests pin it). */
  now?: () => Date;
  platform?: PlatformLink;
  /** Called after a settlement or reversal is committed (wakes the uploader). */
  onCommitted?: () => void;
  /** Called when an operator signs out (the uploader signs their platform session out with 9002). */
  onSignedOut?: (operatorId: string) => void;
  /** Catalog prices in this data directory are demo prices (printed on the public list). */
  demo?: boolean;
  /** How long a lookup waits for the platform's 1101/5301 before the roster alone answers. */
  onlineLookupMs?: number;
  /** Security log (English, never a PIN); default stderr. */
  log?: (line: string) => void;
  /** Wall clock of the PIN lockout in ms (tests inject one). */
  guardClock?: () => number;
  /** Source of record ids (uuid v7 by default; tests inject a fixed sequence to compare journals). */
  ids?: () => string;
}

/** How long an online lookup's 5205 answer is used for the patient's quotes and settlement. */
const ONLINE_DISPENSING_TTL_MS = 30 * 60 * 1000;
/** The first refill date: the longest line's days less the days the rule lets be left (never before the sale). */
function nextRefill(date: string, lines: readonly { days?: number | null }[], daysLeft: number): { date: string; daysLeft: number } | null {
  const days = Math.max(0, ...lines.map((l) => l.days ?? 0));
  return days > 0 ? { date: addDays(date, Math.max(0, days - daysLeft)), daysLeft } : null;
}

/** A stored print offset (text in counter.printers) as millimetres within the contract's bounds; 0 when unset. */
function offsetMm(text: string | undefined): number {
  const n = Number(text ?? '0');
  return Number.isFinite(n) ? Math.max(-20, Math.min(20, n)) : 0;
}

/** Who is calling: the HTTP peer address, or 'screen' for the shell's own IPC. */
export interface CallContext {
  source: string;
}
const SCREEN: CallContext = { source: 'screen' };

/** The handler of each method of the contract, typed by its schemas. */
type Handlers = { [M in MethodName]: (a: MethodArgs<M>, ctx: CallContext) => MethodOutput<M> | Promise<MethodOutput<M>> };

interface Session {
  operator: OperatorRow;
  lastSeen: number;
}
const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;

export class CounterService {
  readonly db: DB;
  readonly book: PolicyBook;
  private readonly now: () => Date;
  private readonly sessions = new Map<string, Session>();
  private readonly platform: PlatformLink | null;
  private readonly onCommitted: () => void;
  private readonly onSignedOut: (operatorId: string) => void;
  private readonly demo: boolean;
  private readonly onlineLookupMs: number;
  /** Other institutions' dispensing (5205) learned by the last online lookup of each scanned code, for the refill rule. */
  private readonly onlineDispensing = new Map<string, { entries: DispensedEntry[]; at: number }>();
  private readonly guard: SignInGuard;
  private readonly ids: (() => string) | undefined;
  /** The group's hub, when one is configured (core/hub/counter-link.ts). */
  private readonly hub: CounterLink;

  constructor(o: ServiceOptions) {
    this.db = o.db;
    this.book = o.book ?? loadPolicyBook();
    this.now = o.now ?? (() => new Date());
    this.platform = o.platform ?? null;
    this.onCommitted = o.onCommitted ?? (() => {});
    this.onSignedOut = o.onSignedOut ?? (() => {});
    this.demo = o.demo ?? false;
    this.onlineLookupMs = o.onlineLookupMs ?? 3000;
    const log = o.log ?? ((line: string) => void process.stderr.write(line + '\n'));
    this.guard = new SignInGuard({ log, ...(o.guardClock ? { now: o.guardClock } : {}) });
    this.ids = o.ids;
    this.hub = new CounterLink(this.db, this.now);
  }

  /** The single entry point: validate with the method's schema, then run it. */
  async call<M extends MethodName>(method: M, raw: unknown, ctx: CallContext = SCREEN): Promise<MethodOutput<M>> {
    const spec = METHODS[method];
    if (!spec) throw new InputError('NO_SUCH_METHOD', `no method ${String(method)}`, `没有此接口`, []);
    const args = parseOrThrow(spec.input as never, raw) as MethodArgs<M>;
    if (needsAdmin(method)) this.requireAdmin(method, args as { session?: string });
    const handler = this.handlers[method] as (a: MethodArgs<M>, ctx: CallContext) => MethodOutput<M> | Promise<MethodOutput<M>>;
    return await handler(args, ctx);
  }

  /**
   * Checks a PIN through the lockout (per operator and per source): a locked pair is refused
   * without looking at the PIN; a wrong PIN counts against both.
   */
  private checkPin(operatorId: string, pin: string, ctx: CallContext, what: string, path: string): OperatorRow | null {
    const locked = this.guard.check(operatorId, ctx.source, what);
    if (locked) throw lockedOut(locked.waitMs, locked.by, path);
    const o = verifyOperator(this.db, operatorId, pin);
    if (o) {
      this.guard.succeeded(operatorId, ctx.source);
      return o;
    }
    const now = this.guard.failed(operatorId, ctx.source, what);
    if (now) throw lockedOut(now.waitMs, now.by, path);
    return null;
  }

  /**
   * An admin method runs only for an administrator's session, whichever door it came through
   * (IPC, the browser shell); a `bootstrap` method also runs without one while no operator exists.
   */
  private requireAdmin(method: MethodName, args: { session?: string }): void {
    if (args.session) {
      this.operatorFor(args.session, ['admin']);
      return;
    }
    const spec: MethodSpec = METHODS[method];
    if (spec.bootstrap && listOperators(this.db).length === 0) return;
    throw refusal('FORBIDDEN', `${method}: an administrator must be signed in`, '需管理员登录后才能执行此操作', 'session');
  }

  /** One handler per method of the contract: a method without one is a type error, not a runtime miss. */
  private readonly handlers: Handlers = {
    lookup: (a) => this.m_lookup(a),
    search: (a) => this.m_search(a),
    quote: (a) => this.m_quote(a),
    settle: (a) => this.m_settle(a),
    reverse: (a) => this.m_reverse(a),
    outboxStatus: () => this.m_outboxStatus(),
    attention: () => this.m_attention(),
    retryUpload: (a) => this.m_retryUpload(a),
    findSettlements: (a) => this.m_findSettlements(a),
    getSettlement: (a) => this.m_getSettlement(a),
    overrideBlock: (a, ctx) => this.m_overrideBlock(a, ctx),
    returnPreview: (a) => this.m_returnPreview(a),
    holdSale: (a) => this.m_holdSale(a),
    heldSales: () => this.m_heldSales(),
    recallSale: (a) => this.m_recallSale(a),
    shiftStatement: (a) => this.m_shiftStatement(a),
    closeDay: (a) => this.m_closeDay(a),
    report: (a) => this.m_report(a),
    print: (a) => this.m_print(a),
    operators: () => this.m_operators(),
    createOperator: (a) => this.m_createOperator(a),
    setStaffCode: (a) => this.m_setStaffCode(a),
    signIn: (a, ctx) => this.m_signIn(a, ctx),
    signOut: (a) => this.m_signOut(a),
    changePin: (a) => this.m_changePin(a),
    operatorAccounts: () => this.m_operatorAccounts(),
    setOperatorActive: (a) => this.m_setOperatorActive(a),
    getSettings: () => this.m_getSettings(),
    saveSettings: (a) => this.m_saveSettings(a),
    file: (a) => fileHere(this.db, a.request, this.operatorFor(a.session), this.now()),
    filingOffer: (a) => offerFiling(this.db, a.certno),
    addCandidate: (a) => addCandidateHere(this.db, a, this.operatorFor(a.session), this.today()),
    candidates: (a) => {
      this.operatorFor(a.session);
      return candidatesHere(this.db, this.institution(), this.today());
    },
    cashSale: (a) => {
      const out = cashSaleHere(this.db, this.institution(), a, this.operatorFor(a.session), a.date ?? this.today(), this.now(), this.book);
      if (out.settledBy === 'platform') this.onCommitted(); // an out-of-area sale the platform settles directly is in the outbox
      return out;
    },
    stockCompliance: (a) => {
      this.operatorFor(a.session);
      return stockComplianceHere(this.db, this.institution());
    },
  };

  // ---------- helpers ----------

  private today(): string {
    return serviceDate(this.now());
  }

  private institution(): Institution {
    const inst = getInstitution(this.db);
    if (!inst) {
      throw refusal('SETTINGS_MISSING', 'the institution is not configured yet: open Settings (administrator)', '尚未配置本机构信息，请管理员在“设置”中填写', 'institution');
    }
    return inst;
  }

  private operatorFor(session: string, roles?: OperatorRow['role'][]): OperatorRow {
    const s = this.sessions.get(session);
    if (!s || Date.now() - s.lastSeen > SESSION_IDLE_MS) {
      this.sessions.delete(session);
      throw refusal('SESSION_EXPIRED', 'sign in again (the session is unknown or expired)', '登录已失效，请重新登录', 'session');
    }
    s.lastSeen = Date.now();
    if (roles && !roles.includes(s.operator.role)) {
      throw refusal('FORBIDDEN', `only ${roles.join('/')} may do this`, `仅${roles.map((r) => ROLE_ZH[r]).join('、')}可以执行此操作`, 'session');
    }
    return s.operator;
  }

  /** The screen's view of a settlement, from the one read model (core/sale readSettlement). */
  /** `known`: the pool figure when the caller has it (a settle just made), else read with the record. */
  private view(m: SettlementReadModel, known?: SettlementPoolFigure | null): SettlementView {
    const rec = m.record;
    const conditions = rec.patient.conditions.filter((c): c is 'hypertension' | 'diabetes' => c === 'hypertension' || c === 'diabetes');
    const policyName = this.book.get(rec.policy.id)?.name ?? rec.policy.id;
    const state = rec.outbox?.status ?? 'pending';
    const version = this.book.get(rec.policy.id)?.versions.find((v) => v.effectiveFrom === rec.policy.version) ?? null;
    const explained = rec.kind === 'sale' && m.request && m.result ? explainQuote(m.request, m.result, version) : [];
    // What is left of each line to return (only a sale with returns against it needs the look-up).
    const returns = rec.kind === 'sale' && rec.reversedBy.length > 0 ? returnLinesAgainst(this.db, rec.id) : [];
    const figure = rec.kind !== 'sale' ? null : known !== undefined ? known : settlementPoolFigure(this.db, rec.id);
    return {
      id: rec.id,
      receiptNo: rec.receiptNo,
      kind: rec.kind === 'sale' ? 'sale' : 'reversal',
      reverses: rec.originalId,
      createdAt: rec.settledAt,
      date: rec.date,
      operator: { id: rec.operator.id, name: rec.operator.name, role: m.operatorRole ? (ROLE_ZH[m.operatorRole as OperatorRow['role']] ?? m.operatorRole) : '' },
      patient: {
        psnNo: rec.patient.psnNo,
        nameMasked: rec.patient.nameMasked,
        certnoMasked: rec.patient.certnoMasked,
        insuranceZh: rec.patient.insutype === '310' ? INSURANCE_ZH.employee : INSURANCE_ZH.resident,
        conditionsZh: conditions.map((c) => CONDITION_ZH[c]).join('、'),
      },
      policy: { id: rec.policy.id, name: policyName, version: rec.policy.version },
      total: rec.total,
      fund: rec.fund,
      patientPays: rec.patientPays,
      capLeft: m.result?.cap.remainingAfter ?? '0.00',
      poolFigureZh: figure ? poolFigureZh(figure) : null,
      lines: rec.lines.map((l) => {
        const facts = m.lineFacts.get(l.id);
        const quoteLineId = m.lineRows.find((r) => r.id === l.id)?.quote_line_id;
        const why = explained.find((e) => e.lineId === quoteLineId) ?? null;
        const left = rec.kind !== 'sale' ? '0' : returns.length === 0 ? l.quantity : leftOf({ quantity: l.quantity, total: l.total, in_scope: l.inScope, fund: l.fund, patient_pay: l.patient }, returns.filter((r) => r.reverses_line_id === l.id)).quantity;
        return { lineId: l.id, code: l.code, name: l.name, spec: facts?.spec ?? null, quantity: l.quantity, price: l.price, total: l.total, fund: l.fund, patient: l.patient, rateZh: why?.rateZh ?? null, explain: withPoolFigure(why?.notes ?? [], figure), left };
      }),
      policyDocument: m.result?.policy.document ? documentTitle(m.result.policy.document) : version ? documentTitle(version.document) : null,
      outbox: {
        state,
        stateZh: rec.outbox?.statusZh ?? OUTBOX_STATE_ZH[state] ?? state,
        detail: rec.outbox?.rejectReason ?? rec.outbox?.lastError ?? null,
      },
      reversedBy: rec.reversedBy,
      payment: m.payment ? { ...m.payment, methods: m.payment.methods.map((x) => ({ method: x.method, methodZh: PAYMENT_METHOD_ZH[x.method], amount: x.amount })) } : null,
      reason: rec.reason ?? null,
    };
  }

  /** The quote as the screen and the host POS see it, with the methods that may pay the patient's share. */
  private quoteOut(priced: PricedSale, fig: PoolFigure | null = null): MethodOutput<'quote'> {
    const v = quoteView(priced);
    if (!fig) return { ...v, payableWith: salePayableMethods(this.book, priced) };
    // Whose figure it was: the hub's answer now, or this counter's (with the last hub figure) when it did not answer.
    return {
      ...v,
      cap: { ...v.cap, source: fig.source, figureZh: poolFigureZh(fig) },
      lines: v.lines.map((l) => ({ ...l, explain: withPoolFigure(l.explain, fig) })),
      payableWith: salePayableMethods(this.book, priced),
    };
  }

  /** A settlement by id or receipt number (one statement), or a refusal naming it. */
  private record(id: string): SettlementReadModel {
    const m = readSettlement(this.db, id);
    if (!m) throw refusal('SETTLEMENT_NOT_FOUND', `no settlement ${id}`, `找不到结算记录 ${id}`, 'settlementId');
    return m;
  }

  /** The sale as the pipeline takes it, from a quote/settle/override body. */
  private saleInput(a: MethodArgs<'quote'> & { prescription?: SaleInput['prescription'] }): SaleInput {
    return { patient: a.patient, date: a.date ?? this.today(), lines: a.lines, prescription: a.prescription ?? null };
  }

  // ---------- methods ----------

  protected async m_lookup(a: MethodArgs<'lookup'>): Promise<MethodOutput<'lookup'>> {
    const view = await this.lookupHere(a);
    const cap = view.patient?.cap;
    if (!view.patient || !cap || !this.hub.link()) return view;
    // With a hub: the cap as the group sees it (what every counter paid), or as this counter alone does, said which.
    const fig = await this.hub.figure(view.patient.psnNo, Number((a.date ?? this.today()).slice(0, 4)));
    if (!fig) return view;
    const used = Decimal.max(cap.used, fig.used);
    const left = Decimal.max(0, new Decimal(cap.limit).minus(used));
    return { ...view, patient: { ...view.patient, cap: { limit: cap.limit, used: fen(used), left: fen(left), figureZh: poolFigureZh(fig) } } };
  }

  private async lookupHere(a: MethodArgs<'lookup'>): Promise<MethodOutput<'lookup'>> {
    const date = a.date ?? this.today();
    const inst = this.institution();
    const view = lookupView(this.db, this.book, inst, a.input, date);
    const link = this.platform;
    if (!link?.identify || !link.endpoint() || !view.patient) return view;
    const cert = identify(a.input, { today: date }).cert;
    if (!cert) return view;
    const online: NonNullable<MethodOutput<'lookup'>['online']> = { checked: false, differences: [], noteZh: '未能及时查询医保平台，按本地名单办理' };
    if (link.reachable() === false) return { ...view, online: { ...online, noteZh: '医保平台未连通，按本地名单办理' } };
    let timer: NodeJS.Timeout | undefined;
    try {
      const insutype = view.patient.insurance === 'employee' ? '310' : '390';
      const answer = await Promise.race([
        link.identify(inst, { mdtrtCertType: cert.mdtrtCertType, mdtrtCertNo: cert.mdtrtCertNo, cardSn: cert.cardSn }, insutype),
        new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.onlineLookupMs))),
      ]);
      if (answer !== 'timeout') {
        const region = loadPlatformConfig().region(inst.policy);
        const diffs = compareWithRoster({ psnNo: view.patient.psnNo, insurance: view.patient.insurance, conditions: view.patient.conditions }, answer, region, date);
        const at = this.now().toISOString();
        if (diffs.length > 0) {
          insertIdentityDifferences(
            this.db,
            diffs.map((d) => ({ checkedAt: at, psnNo: view.patient!.psnNo, rosterKey: view.kind, field: d.field, rosterValue: d.roster, platformValue: d.platform, messageZh: d.messageZh })),
          );
        }
        if (answer) this.rememberDispensing(a.input, answer.dispensing ?? []);
        Object.assign(online, { checked: true, differences: diffs.map((d) => ({ field: d.field, messageZh: d.messageZh })), noteZh: diffs.length ? '医保平台信息与本地名单不一致，本次按本地名单办理，请核实' : null });
      }
    } catch (e) {
      online.noteZh = (e as { refused?: boolean }).refused ? '医保平台未返回此人的参保信息，本次按本地名单办理，请核实证件' : '医保平台暂时无法查询，按本地名单办理';
    } finally {
      clearTimeout(timer);
    }
    return { ...view, online };
  }

  private platformDispensing(patient: string): DispensedEntry[] {
    const hit = this.onlineDispensing.get(patient.trim());
    return hit && Date.now() - hit.at < ONLINE_DISPENSING_TTL_MS ? hit.entries : [];
  }

  private rememberDispensing(patient: string, entries: DispensedEntry[]): void {
    this.onlineDispensing.delete(patient.trim());
    this.onlineDispensing.set(patient.trim(), { entries, at: Date.now() });
    // Bounded: the oldest lookups go first.
    while (this.onlineDispensing.size > 200) this.onlineDispensing.delete(this.onlineDispensing.keys().next().value!);
  }

  protected m_search(a: MethodArgs<'search'>): MethodOutput<'search'> {
    const inst = this.institution();
    return { items: searchCatalog(this.db, a.text, { limit: a.limit }).map((h) => catalogHit(this.db, h, inst.region)) };
  }

  protected async m_quote(a: MethodArgs<'quote'>): Promise<MethodOutput<'quote'>> {
    const input = this.saleInput(a);
    const fig = await this.poolFigure(input);
    return this.quoteOut(this.priceWith(input, fig), fig);
  }

  /** The sale priced once, from the hub's figure of the patient's year when there is one. */
  private priceWith(input: SaleInput, fig: PoolFigure | null): PricedSale {
    return quoteSale(this.db, this.book, input, { institution: this.institution(), platformDispensing: this.platformDispensing(input.patient), ...(fig ? { groupUsed: fig.used } : {}) });
  }

  /** With a hub configured: the figure of the patient's year a sale is priced from (core/hub/counter-link.ts); null without one. */
  private async poolFigure(input: SaleInput): Promise<PoolFigure | null> {
    if (!this.hub.link()) return null;
    const { record } = resolvePatient(this.db, input.patient.trim(), input.date);
    return this.hub.figure(record.psn_no, Number(input.date.slice(0, 4)));
  }

  protected async m_settle(a: MethodArgs<'settle'>): Promise<MethodOutput<'settle'>> {
    const operator = this.operatorFor(a.session);
    const { session: _s, requestId, payment, ...body } = a;
    const input = this.saleInput(a);
    const common = {
      operator: { id: operator.id, name: operator.name, role: operator.role },
      requestId,
      requestHash: saleRequestHash({ ...body, payment }),
      platformDispensing: this.platformDispensing(a.patient),
      now: this.now(),
      payment: payment ?? null,
      ids: this.ids,
      institution: this.institution(),
    };
    // A replayed settle returns the sale already made: nothing to price, hold or claim.
    const atHub = this.hub.link() && !settlementForRequest(this.db, requestId) ? await this.readyAtHub(input, payment ?? null) : null;
    // Bad input (an unknown code, a missing prescription) is 400; the pipeline's refusals (not
    // eligible, blocked by supervision, a reused requestId) are 409.
    // commitRecord: the one place the crash test's ghost-commit fault can roll the answer back (core/config/test-fault.ts).
    let committed: { view: SettlementView; replayed: boolean };
    try {
      committed = this.commitSale(input, common, atHub);
    } catch (e) {
      // Nothing was written: what was held at the hub for this sale goes back at once (not at the hold's expiry).
      if (atHub) await this.hub.release(atHub.settlementId);
      throw e;
    }
    if (atHub && committed.replayed) await this.hub.release(atHub.settlementId);
    if (!committed.replayed) this.onCommitted();
    return committed.view;
  }

  private commitSale(input: SaleInput, common: Omit<Parameters<typeof settleSale>[3], 'settlementId' | 'priced'>, atHub: Awaited<ReturnType<CounterService['readyAtHub']>>): { view: SettlementView; replayed: boolean } {
    return commitRecord(
      this.db,
      () => {
        if (!atHub) return settleSale(this.db, this.book, input, common);
        let { priced } = atHub;
        const { figure } = atHub;
        if (journalSeq(this.db) !== atHub.seq) {
          // Another sale was committed here while the hub was asked: price again, counting it.
          figure.used = fen(new Decimal(figure.used).plus(fundAfterSeq(this.db, figure.psnNo, figure.year, atHub.seq)));
          priced = this.priceWith(input, figure);
        }
        const done = settleSale(this.db, this.book, input, { ...common, settlementId: atHub.settlementId, priced });
        if (!done.replayed) this.hub.recordSale(done.id, figure, atHub.unclaimed);
        return done;
      },
      ({ id, replayed }) => ({ view: this.view(this.record(id), replayed ? undefined : (atHub?.figure ?? null)), replayed }),
    );
  }

  /**
   * With a hub configured, a sale is made ready at the hub before it commits: priced once from the
   * group's figure (this counter's own checks refuse a bad sale before anything is asked of the
   * hub), its fund amount held against the patient's year (so two counters settling the same
   * patient at once cannot together pass the cap) and its trace codes claimed for the group (a
   * code another counter sold is refused). It is priced again only when the hold reports another
   * figure. A hub that does not answer in time leaves the counter settling on its own figures;
   * codes it could not claim are claimed later (claimPendingTraceCodes).
   */
  private async readyAtHub(input: SaleInput, payment: MethodArgs<'settle'>['payment'] | null): Promise<{ priced: PricedSale; figure: PoolFigure; settlementId: string; seq: number; unclaimed: string[] } | null> {
    const figure = await this.poolFigure(input);
    if (!figure) return null;
    const seq = journalSeq(this.db);
    const check = (p: PricedSale) => {
      assertSettleable(p);
      if (payment) checkPayment(p.result.patient, payment, salePayableMethods(this.book, p));
      return p;
    };
    let priced = check(this.priceWith(input, figure));
    const settlementId = (this.ids ?? uuidv7)();
    const capChanged = () =>
      refusal('GROUP_CAP_CHANGED', 'another counter of the group has just settled for this patient; price the sale again', '本组其他柜台刚为该患者结算，年度限额已变化，请重新计价后再结算', 'patient');
    let heldAmount = priced.result.fund;
    if (new Decimal(heldAmount).greaterThan(0)) {
      const held = await this.hub.hold(figure, settlementId, heldAmount, priced.result.cap.limit);
      if (held && !held.granted) throw capChanged();
      if (held && held.used !== figure.used) {
        figure.used = held.used;
        priced = this.priceWith(input, figure);
        try {
          check(priced);
        } catch (e) {
          await this.hub.release(settlementId);
          throw e;
        }
        if (new Decimal(priced.result.fund).greaterThan(heldAmount)) {
          heldAmount = priced.result.fund;
          const again = await this.hub.hold(figure, settlementId, heldAmount, priced.result.cap.limit);
          if (again && !again.granted) throw capChanged();
        }
      }
    }
    const codes = input.lines.flatMap((l) => l.traceCodes ?? []);
    const claim = await this.hub.claim(settlementId, codes);
    if ('refused' in claim) {
      await this.hub.release(settlementId);
      throw soldRefusal(claim.refused.map((r) => ({ code: r.code, elsewhere: true })));
    }
    return { priced, figure, settlementId, seq, unclaimed: 'offline' in claim ? codes : [] };
  }

  /**
   * Writes a journal record and what goes with it in ONE transaction; a refusal from the journal
   * reaches the caller as a business refusal (409 over HTTP); the uploader is woken after the commit.
   */
  private commit(write: () => string): SettlementView {
    let view: SettlementView;
    try {
      view = commitRecord(this.db, write, (id) => this.view(this.record(id)));
    } catch (e) {
      throw asRefusal(e);
    }
    this.onCommitted();
    return view;
  }

  protected m_reverse(a: MethodArgs<'reverse'>): MethodOutput<'reverse'> {
    const operator = this.operatorFor(a.session);
    const sale = this.record(a.settlementId).record;
    return this.commit(() => {
      const rec = journalReverse(this.db, { settlementId: sale.id, lines: returnRefs(a.lines), operator: { id: operator.id, name: operator.name }, reason: a.reason, requestId: a.requestId ?? null }, { now: this.now() });
      if (!settlementOperator(this.db, rec.id)) {
        recordSettlementOperator(this.db, { settlementId: rec.id, requestId: null, operatorId: operator.id, operatorName: operator.name, operatorRole: operator.role, prescription: null });
      }
      return rec.id;
    });
  }

  protected m_returnPreview(a: MethodArgs<'returnPreview'>): MethodOutput<'returnPreview'> {
    const sale = this.record(a.settlementId).record;
    let p;
    try {
      p = previewReturn(this.db, sale.id, returnRefs(a.lines));
    } catch (e) {
      throw asRefusal(e);
    }
    return {
      receiptNo: p.receiptNo,
      amount: p.amount,
      fund: p.fund,
      total: p.total,
      lines: p.lines,
      refund: p.refund ? { ...p.refund, methods: p.refund.methods.map((m) => ({ method: m.method, methodZh: PAYMENT_METHOD_ZH[m.method], amount: m.amount })) } : null,
    };
  }

  protected m_holdSale(a: MethodArgs<'holdSale'>): MethodOutput<'holdSale'> {
    const operator = this.operatorFor(a.session);
    const row = { id: uuidv7(), requestId: a.requestId, operatorId: operator.id, label: a.label, saleJson: JSON.stringify(a.sale), heldAt: this.now().toISOString() };
    try {
      insertHeldSale(this.db, row);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw refusal('ALREADY_HELD', 'this sale is already held', '这笔销售已经挂单', 'requestId');
      throw e;
    }
    return { id: row.id, requestId: row.requestId, label: row.label, heldAt: row.heldAt, operatorId: row.operatorId };
  }

  protected m_heldSales(): MethodOutput<'heldSales'> {
    return { items: listHeldSales(this.db).map((h) => ({ id: h.id, requestId: h.requestId, label: h.label, heldAt: h.heldAt, operatorId: h.operatorId })) };
  }

  protected m_recallSale(a: MethodArgs<'recallSale'>): MethodOutput<'recallSale'> {
    this.operatorFor(a.session);
    const h = takeHeldSale(this.db, a.id);
    if (!h) throw refusal('HELD_SALE_GONE', `held sale ${a.id} is not there (already recalled)`, '这笔挂单已被取出', 'id');
    return { id: h.id, requestId: h.requestId, label: h.label, sale: parseOrThrow(QuoteInput, JSON.parse(h.saleJson) as unknown, ['held_sale']) };
  }

  protected m_shiftStatement(a: MethodArgs<'shiftStatement'>): MethodOutput<'shiftStatement'> {
    const operator = this.operatorFor(a.session);
    const now = this.now();
    const from = new Date(`${serviceDate(now)}T00:00:00+08:00`).toISOString();
    const to = new Date(now.getTime() + 1).toISOString();
    const st = shiftStatement(this.db, operator.id, from, to);
    const inst = this.institution();
    const roleZh = ROLE_ZH[operator.role];
    const r = renderShiftStatement(
      { ...st, operatorName: operator.name, roleZh, from: wallTime(new Date(from)), to: wallTime(now) },
      { code: inst.code, name: inst.name, typeZh: inst.type === 'pharmacy' ? '定点零售药店' : '定点医疗机构' },
      a.layout,
      wallTime(now),
    );
    return { ...st, operator: { id: operator.id, name: operator.name, roleZh }, from: wallTime(new Date(from)), to: wallTime(now), pageSize: r.pageSize, html: r.html };
  }

  /** 日结: runs the existing 3201 reconciliation (core/outbox/dayclose.ts) and says what it found in Chinese. */
  protected async m_closeDay(a: MethodArgs<'closeDay'>): Promise<MethodOutput<'closeDay'>> {
    this.operatorFor(a.session);
    const date = a.date ?? this.today();
    const endpoint = this.platform?.endpoint() ?? '';
    if (!endpoint) throw refusal('NO_ENDPOINT', 'no platform endpoint is configured', '尚未设置医保平台地址，不能日结（设置 → 医保平台）', 'endpoint');
    let r;
    try {
      r = await closeDay(this.db, { date, endpoint, now: this.now });
    } catch (e) {
      if (e instanceof DayNotReadyError) throw new ServiceRefusal(e.code, e.message, e.messageZh, e.problems);
      throw e;
    }
    const groups = r.groups.map((g) => ({
      insuranceZh: g.insutype === '310' ? INSURANCE_ZH.employee : INSURANCE_ZH.resident,
      count: g.count,
      medfee: g.medfee,
      fund: g.fund,
      acct: g.acct,
      balanced: g.balanced,
      resultZh: g.balanced ? '对账一致' : g.stmtRslt === null ? `未得到平台答复${g.description ? `：${g.description}` : ''}` : `对账不一致${g.description ? `：${g.description}` : ''}`,
    }));
    const summaryZh = groups.length === 0 ? `${date} 没有已上传的结算，无需对账` : r.balanced ? `${date} 日结完成：与医保平台对账一致` : `${date} 日结发现差异，请核对后联系医保经办机构`;
    return { date, balanced: r.balanced, summaryZh, groups };
  }

  /**
   * An authorised override of a supervision block (seed 000 §二.(五).11, seed 003 附件3 注意2):
   * a pharmacist or administrator, signed in or authorising at a clerk's counter with their own
   * PIN, writes the reason; core/supervision re-checks the finding and records the audit row,
   * which the next settle of this sale links to its settlement.
   */
  protected m_overrideBlock(a: MethodArgs<'overrideBlock'>, ctx: CallContext = SCREEN): MethodOutput<'overrideBlock'> {
    const signedIn = this.operatorFor(a.session);
    let who = signedIn;
    if (a.authorizer) {
      const o = this.checkPin(a.authorizer.operatorId, a.authorizer.pin, ctx, 'override authorisation', 'authorizer.pin');
      if (!o) throw refusal('AUTHORIZER_FAILED', 'unknown authorising operator or wrong PIN', '授权人账号或 PIN 不正确', 'authorizer.pin');
      who = o;
    }
    if (!(OVERRIDE_ROLES as readonly string[]).includes(who.role)) {
      throw refusal(
        'FORBIDDEN',
        `only a pharmacist or an administrator may override a supervision block (${who.name} is ${who.role})`,
        `${ROLE_ZH[who.role]}不能放行用药监管拦截，请药师或管理员授权`,
        a.authorizer ? 'authorizer.operatorId' : 'session',
      );
    }
    const inst = this.institution();
    const date = a.date ?? this.today();
    const input: SaleInput = { patient: a.patient, date, lines: a.lines, prescription: a.prescription ?? null };
    const priced = quoteSale(this.db, this.book, input, { institution: inst, platformDispensing: this.platformDispensing(a.patient) });
    const line = priced.supervised.find((l) => l.id === a.lineId);
    if (!line) {
      const exists = a.lines.length >= Number(a.lineId.replace(/^L/, '')) && /^L\d+$/.test(a.lineId);
      throw exists
        ? refusal('NOTHING_TO_OVERRIDE', `line ${a.lineId} gives no days of supply, so nothing blocks it`, '该药品未填写用药天数，没有监管拦截', 'lineId')
        : refusal('UNKNOWN_LINE', `no line ${a.lineId} in the sale`, '销售明细中没有该行', 'lineId');
    }
    let row;
    try {
      row = overrideBlock(
        this.db,
        this.book,
        { sale: { policy: inst.policy, psnNo: priced.ctx.record.psn_no, date, lines: priced.supervised }, lineId: a.lineId, rule: a.rule, reason: a.reason, operator: { id: who.id, name: who.name, role: who.role } },
        this.now(),
      );
    } catch (e) {
      // A finding that is not there (or already overridden) is a refusal, not bad input.
      if (e instanceof InputError && !(e instanceof ServiceRefusal) && e.code !== 'INVALID_REQUEST') throw new ServiceRefusal(e.code, e.message, e.messageZh, e.problems);
      throw e;
    }
    const finding = priced.findings.get(a.lineId)?.find((f) => f.rule === a.rule);
    const item = priced.lines[Number(a.lineId.slice(1)) - 1]?.item;
    return {
      override: {
        id: row.id,
        lineId: a.lineId,
        code: row.lineCode,
        drug: item?.generic_name ?? row.genericName,
        rule: a.rule,
        ruleZh: SUPERVISION_RULE_ZH[a.rule],
        findingZh: finding?.messageZh ?? '',
        reason: row.reason,
        date: row.serviceDate,
        operator: { id: row.operatorId, name: row.operatorName, role: row.operatorRole, roleZh: ROLE_ZH[row.operatorRole] },
        createdAt: row.createdAt,
      },
      quote: this.quoteOut(quoteSale(this.db, this.book, input, { institution: inst, platformDispensing: this.platformDispensing(input.patient) })),
    };
  }

  /** A bureau report for one month (core/reports), in the format asked; any signed-in operator. */
  protected async m_report(a: MethodArgs<'report'>): Promise<MethodOutput<'report'>> {
    this.operatorFor(a.session);
    // Loaded on first use: the report renderers (exceljs) are not needed to start the counter.
    const reports = await import('../reports/index.ts');
    const doc = reports.buildReport(this.db, a.name, a.month, this.now(), { book: this.book });
    const bytes = await reports.render(doc, a.format);
    const MIME = { html: 'text/html; charset=utf-8', csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;
    const binary = a.format === 'xlsx';
    return {
      name: a.name,
      titleZh: doc.titleZh || REPORT_TITLE_ZH[a.name],
      month: a.month,
      format: a.format,
      filename: `${a.name}-${a.month}.${a.format}`,
      mime: MIME[a.format],
      encoding: binary ? 'base64' : 'utf8',
      content: binary ? bytes.toString('base64') : bytes.toString('utf8'),
      summary: doc.summary,
    };
  }

  protected m_outboxStatus(): MethodOutput<'outboxStatus'> {
    const c = statusCounts(this.db);
    const attention = listOutbox(this.db, { statuses: ['rejected', 'dead'] }).filter((o) => !this.resolvedRejection(o.settlement_id, o.status)).length + this.openTraceConflicts().length;
    const waiting = c.pending + c.sending + c.ambiguous;
    const uploaded = c.acked + c.cancelled;
    const total = Object.values(c).reduce((x, y) => x + y, 0);
    const summaryZh = attention > 0 ? `${attention} 笔需处理${waiting ? `，${waiting} 笔待上传` : ''}` : waiting > 0 ? `${waiting} 笔待上传` : total > 0 ? '全部已上传' : '暂无结算';
    return {
      total,
      uploaded,
      waiting,
      attention,
      platform: { endpoint: this.platform?.endpoint() ?? '', reachable: this.platform?.reachable() ?? null, checkedAt: this.platform?.checkedAt() ?? null },
      summaryZh,
    };
  }

  /** A refused sale that has since been reversed locally needs nothing more. */
  private resolvedRejection(settlementId: string, status: string): boolean {
    if (status !== 'rejected') return false;
    return hasFullReversal(this.db, settlementId);
  }

  /**
   * Boxes sold here while the hub was away that another counter of the group had sold first (the
   * hub refused the late claim): the operator checks the box and, if it was sold twice, reverses
   * this sale; a reversed sale needs nothing more.
   */
  private openTraceConflicts() {
    const rows = traceConflicts(this.db).filter((c) => !hasFullReversal(this.db, c.settlementId));
    const bySale = new Map<string, typeof rows>();
    for (const r of rows) bySale.set(r.settlementId, [...(bySale.get(r.settlementId) ?? []), r]);
    return [...bySale.values()].map((codes) => ({
      settlementId: codes[0]!.settlementId,
      receiptNo: codes[0]!.receiptNo,
      state: 'trace-conflict',
      stateZh: '追溯码重复',
      problemZh: `联网后核对发现：${codes.map((c) => `追溯码 ${c.code}${c.lineName ? `（${c.lineName}）` : ''}`).join('、')}在断网期间已由本组其他柜台或门店先行售出，同一盒药被销售了两次。`,
      whatToDoZh: '请核对药盒与追溯码：如确属重复销售，在“退药退费”中冲销本笔或联系对方门店核实；如系扫码错误，请登记更正后联系医保经办机构。',
      since: codes[0]!.foundAt,
      canRetry: false,
    }));
  }

  protected m_attention(): MethodOutput<'attention'> {
    const rows = listOutbox(this.db, { statuses: ['rejected', 'dead', 'ambiguous'] });
    return {
      items: [...this.openTraceConflicts(), ...rows
        .filter((o) => !this.resolvedRejection(o.settlement_id, o.status))
        .map((o) => {
          const rec = readSettlement(this.db, o.settlement_id)?.record;
          const what =
            o.status === 'rejected'
              ? { p: `医保平台拒绝：${o.reject_reason ?? o.reject_code ?? '未说明原因'}`, w: '核对患者资格与药品目录后，在“退药退费”中整单冲销，再按自费或正确信息重新结算。' }
              : o.status === 'dead' && o.maybe_delivered === 1
                ? {
                    // An unknown outcome that could not be settled: the platform may hold this sale. Say what is known.
                    p: `上传结果无法确认：平台可能已收到本笔结算（报文号 ${currentMessage(this.db, o.id, o.step)?.msgid ?? '未知'}），冲正未成功。`,
                    w: '请联系医保经办机构，按报文号核实平台上是否有这笔结算；核实后点“重新上传”，系统会先冲正再补传，不会重复结算。',
                  }
                : o.status === 'dead'
                ? { p: `多次上传失败：${o.last_error ?? '原因未知'}`, w: '检查网络和平台地址（设置 → 医保平台）；平台恢复后本笔会继续补传，如仍失败请联系医保经办机构。' }
                : { p: '上传结果未知（平台未回复）', w: '无需操作：系统会先向平台查询或冲正，确认后再继续上传。' };
          return {
            settlementId: o.settlement_id,
            receiptNo: rec?.receiptNo ?? o.settlement_id,
            state: o.status,
            stateZh: OUTBOX_STATE_ZH[o.status] ?? o.status,
            problemZh: what.p,
            whatToDoZh: what.w,
            since: o.updated_at,
            canRetry: o.status === 'dead',
          };
        })],
    };
  }

  protected m_retryUpload(a: MethodArgs<'retryUpload'>): MethodOutput<'retryUpload'> {
    this.operatorFor(a.session);
    const row = getOutboxBySettlement(this.db, this.record(a.settlementId).record.id);
    if (!row || row.status !== 'dead') throw refusal('NOT_RETRYABLE', 'only an upload that gave up can be retried', '只有“多次失败”的结算可以重新上传', 'settlementId');
    reviveDead(this.db, row.id);
    this.onCommitted();
    return this.m_outboxStatus();
  }

  protected m_findSettlements(a: MethodArgs<'findSettlements'>): MethodOutput<'findSettlements'> {
    const text = a.text.trim();
    if (text) {
      const direct = readSettlement(this.db, text);
      if (direct) return { items: [this.view(direct)] };
      const psnNo = findRecord(this.db, text, this.today())?.psn_no ?? null;
      if (!psnNo) return { items: [] };
      return { items: recentSettlementIds(this.db, { psnNo, limit: a.limit }).map((id) => this.view(this.record(id))) };
    }
    return { items: recentSettlementIds(this.db, { limit: a.limit }).map((id) => this.view(this.record(id))) };
  }

  protected m_getSettlement(a: MethodArgs<'getSettlement'>): MethodOutput<'getSettlement'> {
    return this.view(this.record(a.settlementId));
  }

  protected m_print(a: MethodArgs<'print'>): MethodOutput<'print'> {
    const operator = this.operatorFor(a.session);
    const inst = this.institution();
    const printInst = { code: inst.code, name: inst.name, typeZh: inst.type === 'pharmacy' ? '定点零售药店' : '定点医疗机构' };
    // Paper shows Beijing time whatever the machine's zone (the journal keeps UTC).
    const printedAt = wallTime(this.now());
    if (a.document === 'test-page') {
      const copy = recordPrint(this.db, { settlementId: null, document: a.document, layout: a.layout, operatorId: operator.id });
      const r = renderTestPage(printInst, a.layout, printedAt, operator.name);
      return { document: a.document, layout: a.layout, copy, pageSize: r.pageSize, html: r.html };
    }
    if (a.document === 'public-list') {
      const items = this.publicList(inst);
      const copy = recordPrint(this.db, { settlementId: null, document: a.document, layout: a.layout, operatorId: operator.id });
      const r = renderPublicList(printInst, this.book.get(inst.policy)?.name ?? inst.policy, items, a.layout, printedAt, this.demo || items.some((i) => i.demo));
      return { document: a.document, layout: a.layout, copy, pageSize: r.pageSize, html: r.html };
    }
    const model = this.record(a.settlementId!);
    const rec = model.record;
    const view = this.view(model);
    const ps: PrintSettlement = { ...view, lines: view.lines.map((l) => ({ ...l, vbp: Boolean(model.lineFacts.get(l.lineId)?.vbp) })), payment: view.payment, reason: view.reason };
    if (a.document === 'prescription' && rec.kind !== 'sale') throw refusal('NOT_A_SALE', 'a prescription is printed from a sale, not a return', '连续处方只能从销售结算打印', 'settlementId');
    const copy = recordPrint(this.db, { settlementId: rec.id, document: a.document, layout: a.layout, operatorId: operator.id });
    if (a.document === 'receipt') {
      const r = renderReceipt(ps, printInst, copy, a.layout, printedAt);
      return { document: a.document, layout: a.layout, copy, pageSize: r.pageSize, html: r.html };
    }
    const patient = findPatient(this.db, { psnNo: rec.patient.psnNo });
    if (a.document === 'prescription') {
      const rx = model.prescription ?? {};
      const rxLines = ps.lines.map((l) => {
        const f = model.lineFacts.get(l.lineId);
        return { ...l, usage: f?.usage ?? null, days: f?.days ?? null };
      });
      const categories = new Map([...catalogItemsByCodes(this.db, rxLines.map((l) => l.code))].map(([code, item]) => [code, item.category] as const));
      const doctor = typeof rx.doctor === 'string' ? rx.doctor : (rx.doctor?.name ?? '');
      const r = renderPrescription(
        { ...ps, lines: rxLines },
        printInst,
        {
          name: patient?.name ?? rec.patient.nameMasked,
          gender: patient?.gender === '1' ? '男' : patient?.gender === '2' ? '女' : '',
          age: patient?.birth_date ? Math.max(0, Number(rec.date.slice(0, 4)) - Number(patient.birth_date.slice(0, 4)) - (rec.date.slice(5) < patient.birth_date.slice(5) ? 1 : 0)) : null,
          personTypeZh: view.patient.insuranceZh,
          outpatientNo: rx.outpatientNo ?? rec.receiptNo,
          department: rx.department ?? (inst.type === 'pharmacy' ? '' : '全科'),
          address: ('address' in rx ? rx.address : undefined) ?? '',
          phone: ('phone' in rx ? rx.phone : undefined) ?? '',
          diagnosis: diagnosisFor(rx.diagnosis ?? '', rxLines.map((l) => categories.get(l.code) ?? null), view.patient.conditionsZh.split(/[；、,，\s]+/)),
          doctor,
          cashier: rec.operator.name,
          dispenser: model.operatorRole === 'pharmacist' ? rec.operator.name : '',
          reviewer: ('reviewer' in rx ? rx.reviewer : undefined) ?? '',
          consent: rx.consent ?? false,
          nextRefill: nextRefill(rec.date, rxLines, supplyRules(this.book, inst.policy, rec.date).refillWhenDaysLeftAtMost),
        },
        copy,
        a.layout,
      );
      return { document: a.document, layout: a.layout, copy, pageSize: r.pageSize, html: r.html };
    }
    // 一人一药单: every drug this patient has had here, newest first.
    const entries = new Map<string, DrugListEntry>();
    const rows = listSettlements(this.db, { psnNo: rec.patient.psnNo });
    for (const row of rows) {
      const m = this.record(row.id);
      for (const l of m.lineRows) {
        const f = m.lineFacts.get(l.id) ?? {};
        const e = entries.get(l.catalog_code) ?? { name: l.name, spec: f.spec ?? null, vbp: Boolean(f.vbp), lastDate: row.settle_date, quantity: '0', times: 0 };
        e.quantity = new Decimal(e.quantity).plus(new Decimal(l.quantity)).toString();
        if (row.kind === 'sale') e.times += 1;
        if (row.settle_date > e.lastDate) e.lastDate = row.settle_date;
        entries.set(l.catalog_code, e);
      }
    }
    const list = [...entries.values()].filter((e) => new Decimal(e.quantity).greaterThan(0)).sort((x, y) => y.lastDate.localeCompare(x.lastDate));
    const r = renderDrugList(
      { name: patient?.name ?? rec.patient.nameMasked, certnoMasked: maskCertno(patient?.certno ?? ''), insuranceZh: view.patient.insuranceZh, conditionsZh: view.patient.conditionsZh, managementClass: patient?.management_class ?? null },
      printInst,
      list,
      copy,
      a.layout,
      printedAt,
    );
    return { document: a.document, layout: a.layout, copy, pageSize: r.pageSize, html: r.html };
  }

  private publicList(inst: Institution) {
    const out = [];
    for (const code of catalogCodes(this.db, 5000)) {
      const hit = searchCatalog(this.db, code, { limit: 1 })[0];
      if (!hit) continue;
      const h = catalogHit(this.db, hit, inst.region);
      if (!h.listed) continue;
      out.push({ code: h.code, name: h.name, form: h.form, spec: h.spec, manufacturer: h.manufacturer, grade: h.grade, price: h.price, paymentStandard: h.paymentStandard, vbp: h.vbp, restriction: h.restriction, demo: hit.demo });
    }
    return out;
  }

  protected m_operators(): MethodOutput<'operators'> {
    const ops = listOperators(this.db).filter((o) => o.active);
    return { items: ops.map((o) => ({ id: o.id, name: o.name, role: o.role, roleZh: ROLE_ZH[o.role] })), needsFirstAdmin: ops.length === 0 };
  }

  protected m_createOperator(a: MethodArgs<'createOperator'>): MethodOutput<'createOperator'> {
    // call() has already required an administrator's session, unless this is the first operator.
    const first = listOperators(this.db).length === 0;
    if (first && a.role !== 'admin') {
      throw refusal('FIRST_MUST_BE_ADMIN', 'the first operator must be an administrator', '第一个操作员必须是管理员', 'role');
    }
    if (listOperators(this.db).some((o) => o.id === a.id)) throw refusal('OPERATOR_EXISTS', `operator ${a.id} exists`, `操作员 ${a.id} 已存在`, 'id');
    const o = createOperator(this.db, { id: a.id, name: a.name, role: a.role, pin: a.pin });
    return { id: o.id, name: o.name, role: o.role, roleZh: ROLE_ZH[o.role] };
  }

  protected m_setStaffCode(a: MethodArgs<'setStaffCode'>): MethodOutput<'setStaffCode'> {
    // The id may be the host POS's operator (settlements from the plugin carry its ids), not only a counter login.
    return saveStaffCode(this.db, a, this.now());
  }

  protected m_signIn(a: MethodArgs<'signIn'>, ctx: CallContext = SCREEN): MethodOutput<'signIn'> {
    const o = this.checkPin(a.operatorId, a.pin, ctx, 'sign-in', 'pin');
    if (!o) throw refusal('SIGN_IN_FAILED', 'unknown operator or wrong PIN', '账号或 PIN 不正确', 'pin');
    const session = randomBytes(24).toString('base64url');
    this.sessions.set(session, { operator: o, lastSeen: Date.now() });
    return { session, operator: { id: o.id, name: o.name, role: o.role, roleZh: ROLE_ZH[o.role] } };
  }

  protected m_changePin(a: MethodArgs<'changePin'>, ctx: CallContext = SCREEN): MethodOutput<'changePin'> {
    const me = this.operatorFor(a.session);
    // The current PIN goes through the same lockout as sign-in: a held session is no free guessing of its PIN.
    if (!this.checkPin(me.id, a.currentPin, ctx, 'change PIN', 'currentPin')) throw refusal('PIN_WRONG', 'the current PIN is wrong', '原 PIN 不正确', 'currentPin');
    if (a.newPin === a.currentPin) throw refusal('PIN_UNCHANGED', 'the new PIN is the same as the current one', '新 PIN 不能与原 PIN 相同', 'newPin');
    setOperatorPin(this.db, me.id, a.newPin);
    return { ok: true };
  }

  protected m_operatorAccounts(): MethodOutput<'operatorAccounts'> {
    return { items: listOperators(this.db).map((o) => ({ id: o.id, name: o.name, role: o.role, roleZh: ROLE_ZH[o.role], active: o.active })) };
  }

  protected m_setOperatorActive(a: MethodArgs<'setOperatorActive'>): MethodOutput<'setOperatorActive'> {
    const me = this.operatorFor(a.session, ['admin']);
    const all = listOperators(this.db);
    const target = all.find((o) => o.id === a.operatorId);
    if (!target) throw refusal('NO_SUCH_OPERATOR', `no operator ${a.operatorId}`, `没有操作员 ${a.operatorId}`, 'operatorId');
    if (!a.active && target.id === me.id) throw refusal('CANNOT_DISABLE_SELF', 'an administrator cannot disable their own account', '不能停用自己正在使用的账号', 'operatorId');
    if (!a.active && target.role === 'admin' && all.filter((o) => o.role === 'admin' && o.active).length <= 1) {
      throw refusal('LAST_ADMIN', 'the last active administrator cannot be disabled', '不能停用最后一个管理员', 'operatorId');
    }
    setOperatorActive(this.db, target.id, a.active);
    // A disabled operator's open sessions end now, not at their next idle timeout.
    if (!a.active) for (const [k, v] of this.sessions) if (v.operator.id === target.id) this.sessions.delete(k);
    return { ok: true };
  }

  protected m_signOut(a: MethodArgs<'signOut'>): MethodOutput<'signOut'> {
    const s = this.sessions.get(a.session);
    this.sessions.delete(a.session);
    if (s) this.onSignedOut(s.operator.id);
    return { ok: true };
  }

  private settingsOut(): MethodOutput<'getSettings'> {
    const f = institutionFields(this.db);
    const printers = getSetting(this.db, 'counter.printers') ?? {};
    return {
      settings: {
        institution: {
          code: String(f.code ?? ''),
          name: String(f.name ?? ''),
          type: f.type === 'pharmacy' ? 'pharmacy' : 'clinic',
          level: f.level === 2 || f.level === '2' ? 2 : f.level === 3 || f.level === '3' ? 3 : 1,
          policy: String(f.policy ?? this.book.ids()[0] ?? ''),
          regionCode: String(f.region ?? ''),
        },
        platform: { endpoint: String(f.platformEndpoint ?? '') },
        printers: {
          receipt: printers.receipt ?? '',
          receiptLayout: printers.receiptLayout === 'a5' ? 'a5' : '80mm',
          prescription: printers.prescription ?? '',
          prescriptionLayout: printers.prescriptionLayout === '80mm' ? '80mm' : 'a5',
          offsetTopMm: offsetMm(printers.offsetTopMm),
          offsetLeftMm: offsetMm(printers.offsetLeftMm),
        },
      },
      policies: this.book.ids().map((id) => ({ id, name: this.book.get(id)?.name ?? id })),
    };
  }

  protected m_getSettings(): MethodOutput<'getSettings'> {
    return this.settingsOut();
  }

  protected m_saveSettings(a: MethodArgs<'saveSettings'>): MethodOutput<'saveSettings'> {
    // call() has already required an administrator's session (an admin method).
    const s = a.settings;
    if (!this.book.get(s.institution.policy)) throw new InputError('INVALID_REQUEST', `unknown policy ${s.institution.policy}`, '未知的地区政策', [problem('settings.institution.policy', 'UNKNOWN_POLICY', `unknown policy ${s.institution.policy}`, '未知的地区政策')]);
    try {
      this.db.transaction(() => {
        setInstitution(this.db, {
          code: s.institution.code,
          name: s.institution.name,
          type: s.institution.type,
          level: s.institution.level,
          policy: s.institution.policy,
          region: s.institution.regionCode,
          platformEndpoint: s.platform.endpoint || null,
        });
        setSetting(this.db, 'counter.printers', { ...s.printers, offsetTopMm: String(s.printers.offsetTopMm), offsetLeftMm: String(s.printers.offsetLeftMm) });
      })();
    } catch (e) {
      if (e instanceof InputError) {
        const problems = e.problems.map((p) => ({ ...p, path: `settings.${p.path === 'region' ? 'institution.regionCode' : p.path === 'platformEndpoint' ? 'platform.endpoint' : `institution.${p.path}`}` }));
        throw new InputError('INVALID_REQUEST', e.message, e.messageZh, problems);
      }
      throw e;
    }
    return this.settingsOut();
  }
}

