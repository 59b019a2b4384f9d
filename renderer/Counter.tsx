// The counter screen: identify the patient, add items by scan or search, watch the split,
// take the payment, confirm with one key. Keyboard first: F2 patient, F3 item, F5 hold (挂单),
// F12 or Ctrl+Enter confirm, Ctrl+P print the continuous prescription, Esc clear.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { isReceiptNo } from '../core/contract/receipt.ts';
import type { MethodArgs, MethodOutput } from '../core/service/contract.ts';
import { classifyKeystrokes, type KeyEvent } from '../core/identity/keystrokes.ts';
import { asBridgeError } from './bridge.ts';
import { printDocument } from './print.ts';
import { isExact, itemEnterAction } from './itemEnter.ts';
import type { Session } from './App.tsx';
import { PaymentPanel } from './PaymentPanel.tsx';
import { HeldSales } from './HeldSales.tsx';
import { EMPTY_DRAFT, paymentFromDraft, type PaymentDraft } from './paymentDraft.ts';
import { DispenseDialog, dispensedFields, NO_DISPENSED, type Dispensed } from './DispenseDialog.tsx';
import { NO_RX, PrescriptionFields, rxMissing, type RxState } from './PrescriptionFields.tsx';
import { DiscardDialog } from './DiscardDialog.tsx';
import { LineWhy } from './LineWhy.tsx';
import { FilingDialog, type FilingTarget } from './FilingDialog.tsx';
import { Modal, ModalActions } from './Modal.tsx';

/** Line reasons meaning "the drug is for a condition not filed": the screen offers 新增病种. */
const UNFILED: Record<string, 'hypertension' | 'diabetes'> = { TREATS_UNFILED_HYPERTENSION: 'hypertension', TREATS_UNFILED_DIABETES: 'diabetes' };

type Lookup = MethodOutput<'lookup'>;
type Hit = MethodOutput<'search'>['items'][number];
type Quote = MethodOutput<'quote'>;
type Settlement = MethodOutput<'settle'>;
type SettingsOut = MethodOutput<'getSettings'>;

interface SaleLine {
  key: string;
  item: Hit;
  quantity: string;
  /** Days of supply from the prescription (optional): turns on the supply and refill checks. */
  days: string;
  /** Trace codes, batch, expiry and 用法用量 (the dispense dialog). */
  dispensed: Dispensed;
}

const yuan = (s: string | undefined) => (s === undefined ? '—' : `¥${s}`);
const QTY = /^\d+(\.\d{1,4})?$/;
const DAYS = /^[1-9]\d{0,3}$/;
const saleLines = (ls: SaleLine[]) => ls.map((l) => ({ code: l.item.code, quantity: l.quantity, ...(DAYS.test(l.days) ? { days: Number(l.days) } : {}), ...dispensedFields(l.dispensed) }));

function newRequestId(): string {
  return crypto.randomUUID();
}

/** Remembers key timing in an input so a wedge scan can be told from typing (core/identity). */
function useKeyTiming() {
  const events = useRef<KeyEvent[]>([]);
  return {
    onKeyDown: (e: React.KeyboardEvent) => {
      if (events.current.length > 0 && e.timeStamp - events.current[events.current.length - 1]!.t > 1000) events.current = [];
      events.current.push({ key: e.key, t: e.timeStamp });
    },
    take: () => {
      const c = classifyKeystrokes(events.current);
      events.current = [];
      return c;
    },
    reset: () => {
      events.current = [];
    },
  };
}


interface OverrideTarget {
  lineId: string;
  rule: 'MAX_SUPPLY' | 'EARLY_REFILL';
  drug: string;
  findingZh: string;
}
const RULE_ZH = { MAX_SUPPLY: '超量开药', EARLY_REFILL: '提前重复开药' } as const;
const OVERRIDE_MIN = 4;

export function Counter({
  session,
  onSettled,
  onSessionLost,
  onOpenReturn,
  settings,
}: {
  session: Session;
  onSettled: () => void;
  onSessionLost: () => void;
  /** A receipt number scanned or typed in the patient field opens it on the returns page. */
  onOpenReturn: (receiptNo: string) => void;
  settings: SettingsOut | null;
}) {
  const api = window.counter!;
  const [patientInput, setPatientInput] = useState('');
  const [patientKey, setPatientKey] = useState<string | null>(null);
  const [lookup, setLookup] = useState<Lookup | null>(null);
  const [lookupBusy, setLookupBusy] = useState(false);
  const [itemInput, setItemInput] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [hitIndex, setHitIndex] = useState(0);
  const [lines, setLines] = useState<SaleLine[]>([]);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'info' | 'ok'; text: string } | null>(null);
  const [settling, setSettling] = useState(false);
  const [last, setLast] = useState<Settlement | null>(null);
  const [rx, setRx] = useState<RxState>(NO_RX);
  /** The line whose dispense dialog (trace codes, batch, usage) is open, by key. */
  const [dispensing, setDispensing] = useState<string | null>(null);
  /** Esc asked to discard the sale in progress (the dialog is open). */
  const [askDiscard, setAskDiscard] = useState(false);
  /** The last sale discarded with Esc, restorable once. */
  const [discarded, setDiscarded] = useState<{ lookup: Lookup | null; patientKey: string | null; lines: SaleLine[]; rx: typeof rx } | null>(null);
  /** The override dialog for one blocked line (F8), or null. */
  const [override, setOverride] = useState<OverrideTarget | null>(null);
  /** The filing dialog (新增病种 from a line, or filing a patient not on the roster), or null. */
  const [filing, setFiling] = useState<FilingTarget | null>(null);
  const requestId = useRef(newRequestId());
  const [payDraft, setPayDraft] = useState<PaymentDraft>(EMPTY_DRAFT);
  const [held, setHeld] = useState<MethodOutput<'heldSales'>['items']>([]);
  const refreshHeld = useCallback(() => {
    api.heldSales({}).then((r) => setHeld(r.items), () => {});
  }, [api]);
  useEffect(() => refreshHeld(), [refreshHeld]);
  const quoteSeq = useRef(0);
  const searchSeq = useRef(0);
  const patientRef = useRef<HTMLInputElement>(null);
  const itemRef = useRef<HTMLInputElement>(null);
  const patientTiming = useKeyTiming();
  const itemTiming = useKeyTiming();
  const liveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The operator moved in the hit list since typing last: Enter takes the highlighted hit. */
  const picked = useRef(false);


  useEffect(() => patientRef.current?.focus(), []);
  // Once the patient is known the item field is enabled: move there for the first scan, before the
  // patient is painted (a layout effect), so a scan started the moment the patient shows lands in it.
  useLayoutEffect(() => {
    if (patientKey) itemRef.current?.focus();
  }, [patientKey]);

  // ---- patient ----
  const doLookup = useCallback(
    async (text: string) => {
      const input = text.trim();
      if (!input) return;
      if (isReceiptNo(input)) return onOpenReturn(input);
      setLookupBusy(true);
      setMessage(null);
      try {
        const r = await api.lookup({ input });
        setLookup(r);
        if (r.found && r.patient) {
          setPatientKey(input);
          setPatientInput('');
          setRx((x) => ({ ...x, diagnosis: r.patient!.conditions.map((c) => (c === 'hypertension' ? '高血压' : '糖尿病')).join('；') }));
        } else {
          setPatientKey(null);
        }
      } catch (e) {
        const b = asBridgeError(e);
        setMessage({ kind: 'error', text: b.zh() });
      } finally {
        setLookupBusy(false);
      }
    },
    [api, onOpenReturn],
  );

  // ---- items ----
  const addItem = useCallback((item: Hit) => {
    // A search still on its way (typed before this item was chosen) must not reopen its list.
    searchSeq.current += 1;
    if (liveTimer.current) clearTimeout(liveTimer.current);
    setLines((ls) => {
      const i = ls.findIndex((l) => l.item.code === item.code);
      if (i >= 0) {
        // Scanning the same package again adds one more.
        const copy = [...ls];
        const q = Number(copy[i]!.quantity);
        copy[i] = { ...copy[i]!, quantity: Number.isFinite(q) ? String(q + 1) : copy[i]!.quantity };
        return copy;
      }
      return [...ls, { key: `${item.code}-${Date.now()}`, item, quantity: '1', days: '', dispensed: NO_DISPENSED }];
    });
    setItemInput('');
    setHits(null);
    setHitIndex(0);
  }, []);

  const runSearch = useCallback(
    async (text: string, exactAdd: boolean, orPick: Hit | null = null) => {
      const q = text.trim();
      const seq = ++searchSeq.current;
      if (!q) {
        setHits(null);
        return;
      }
      try {
        const r = await api.search({ text: q, limit: 12 });
        // A scan's exact lookup still adds its item when a later scan has started meanwhile.
        const stale = seq !== searchSeq.current;
        if (stale && !exactAdd) return;
        // A live list for text no longer in the field is stale (the field was cleared or changed).
        if (!exactAdd && itemRef.current && itemRef.current.value.trim() !== q) return;
        if (exactAdd) {
          const exact = r.items.find((h) => isExact(h, q));
          if (exact) return addItem(exact);
          if (r.items.length === 1) return addItem(r.items[0]!);
          if (orPick && r.items.some((h) => h.code === orPick.code)) return addItem(orPick);
          if (r.items.length === 0) {
            if (!stale) setHits([]);
            setMessage({ kind: 'error', text: `未找到“${q}”：目录中没有这个编码或名称，请核对条码或改用名称/拼音首字母搜索` });
            return;
          }
        }
        if (stale) return;
        // An empty list is shown as 无匹配 (the operator sees the search ran and found nothing).
        setHits(r.items);
        setHitIndex(0);
      } catch (e) {
        if (seq === searchSeq.current) setMessage({ kind: 'error', text: asBridgeError(e).messageZh });
      }
    },
    [api, addItem],
  );

  // Live search while typing (a scan's Enter cancels it: see the item field's Enter).
  useEffect(() => {
    if (!itemInput.trim()) {
      setHits(null);
      return;
    }
    const t = setTimeout(() => void runSearch(itemInput, false), 120);
    liveTimer.current = t;
    return () => clearTimeout(t);
  }, [itemInput, runSearch]);

  // ---- the prescription (core/contract/prescription.ts) ----
  const pharmacy = settings?.settings.institution.type === 'pharmacy';
  const prescription = useMemo(() => {
    if (!rx.on) return undefined;
    const own = settings?.settings.institution;
    const level = (Number(rx.instLevel) || 1) as 1 | 2 | 3;
    // A clinic prescribes itself; a pharmacy dispenses on another institution's prescription and is paid at its level.
    const institution = pharmacy
      ? { code: rx.instCode.trim(), name: rx.instName.trim(), type: level === 1 ? ('clinic' as const) : ('hospital' as const), level }
      : { code: own?.code ?? '', name: own?.name ?? '', type: 'clinic' as const, level: own?.level ?? 1 };
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const extra = { ...(rx.address.trim() ? { address: rx.address.trim() } : {}), ...(rx.phone.trim() ? { phone: rx.phone.trim() } : {}), ...(rx.reviewer.trim() ? { reviewer: rx.reviewer.trim() } : {}) };
    return { institution, doctor: { name: rx.doctor.trim(), ...(rx.doctorCode.trim() ? { code: rx.doctorCode.trim() } : {}) }, date, diagnosis: rx.diagnosis.trim(), consent: rx.consent, continuous: true, ...extra };
  }, [rx, settings, pharmacy]);
  /** A pharmacy's split depends on the prescriber's level: the quote carries the prescription there, once it is filled in. */
  const rxComplete = Boolean(prescription && prescription.institution.code && prescription.institution.name && prescription.doctor.name && prescription.diagnosis);
  const quotePrescription = pharmacy && rxComplete ? prescription : undefined;

  // ---- live split ----
  const validLines = useMemo(() => lines.filter((l) => QTY.test(l.quantity) && Number(l.quantity) > 0 && (l.days === '' || DAYS.test(l.days))), [lines]);
  useEffect(() => {
    if (!patientKey || validLines.length === 0) {
      setQuote(null);
      setQuoteError(null);
      return;
    }
    const seq = ++quoteSeq.current;
    api.quote({ patient: patientKey, lines: saleLines(validLines), ...(quotePrescription ? { prescription: quotePrescription } : {}) }).then(
      (q) => {
        if (seq !== quoteSeq.current) return;
        setQuote(q);
        setQuoteError(null);
      },
      (e) => {
        if (seq !== quoteSeq.current) return;
        const b = asBridgeError(e);
        setQuote(null);
        setQuoteError(b.zh());
      },
    );
  }, [api, patientKey, validLines, quotePrescription]);

  const clearSale = useCallback(() => {
    setLookup(null);
    setPatientKey(null);
    setPatientInput('');
    setLines([]);
    setQuote(null);
    setQuoteError(null);
    setItemInput('');
    setHits(null);
    setRx(NO_RX);
    setPayDraft(EMPTY_DRAFT);
    requestId.current = newRequestId();
    patientRef.current?.focus();
  }, []);

  const hasSale = Boolean(patientKey || lines.length > 0);
  const discardSale = useCallback(() => {
    setDiscarded({ lookup, patientKey, lines, rx });
    setAskDiscard(false);
    clearSale();
    setMessage(null);
  }, [lookup, patientKey, lines, rx, clearSale]);
  const restoreSale = useCallback(() => {
    if (!discarded) return;
    setLookup(discarded.lookup);
    setPatientKey(discarded.patientKey);
    setLines(discarded.lines);
    setRx(discarded.rx);
    setDiscarded(null);
    setMessage({ kind: 'info', text: '已恢复上一单' });
    requestId.current = newRequestId();
    setTimeout(() => itemRef.current?.focus(), 0);
  }, [discarded]);

  // ---- confirm ----
  const payment = useMemo(() => (quote ? paymentFromDraft(payDraft, quote.patientPays) : null), [quote, payDraft]);
  const canConfirm = Boolean(patientKey && quote && !quote.blocked && validLines.length === lines.length && lines.length > 0 && !settling && payment?.ok);
  const confirm = useCallback(async () => {
    if (!canConfirm || !patientKey || !payment?.ok) return;
    const missing = rxMissing(rx);
    if (missing.length > 0) {
      setMessage({ kind: 'error', text: `开具慢性病连续处方前请填写：${missing.join('、')}` });
      return;
    }
    setSettling(true);
    setMessage(null);
    try {
      const s = await api.settle({
        session: session.session,
        requestId: requestId.current,
        patient: patientKey,
        lines: saleLines(validLines),
        ...(prescription ? { prescription } : {}),
        payment: payment.payment,
      });
      setLast(s);
      setDiscarded(null);
      onSettled();
      // The receipt prints first; only then is the screen cleared for the next patient, so a
      // print dialog never swallows the next scan.
      let printError: string | null = null;
      try {
        await printDocument(session.session, 'receipt', s.id, settings?.settings);
      } catch (e) {
        printError = asBridgeError(e).messageZh;
      }
      clearSale();
      setMessage(
        printError
          ? { kind: 'error', text: `已结算（票据号 ${s.receiptNo}），但结算单打印失败：${printError}。可在左侧“补打结算单”。` }
          : { kind: 'ok', text: `已结算：票据号 ${s.receiptNo}，个人支付 ¥${s.patientPays}${s.payment ? `，实收 ¥${s.payment.received}，找零 ¥${s.payment.change}` : ''}` },
      );
    } catch (e) {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setMessage({ kind: 'error', text: b.zh('；') });
    } finally {
      setSettling(false);
    }
  }, [api, canConfirm, patientKey, validLines, prescription, rx, payment, session, settings, clearSale, onSettled, onSessionLost]);

  // ---- 挂单 / 取单 ----
  const hold = useCallback(async () => {
    if (!patientKey || lines.length === 0 || validLines.length !== lines.length) return;
    const who = lookup?.patient?.nameMasked ?? '';
    const label = `${who} ${lines.map((l) => l.item.name).join('、')}`.trim().slice(0, 100);
    try {
      await api.holdSale({ session: session.session, requestId: requestId.current, label, sale: { patient: patientKey, lines: saleLines(validLines) } });
      clearSale();
      setMessage({ kind: 'info', text: `已挂单：${label}` });
      refreshHeld();
    } catch (e) {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setMessage({ kind: 'error', text: b.zh('；') });
    }
  }, [api, patientKey, lines, validLines, lookup, session, clearSale, refreshHeld, onSessionLost]);

  const recall = useCallback(
    async (id: string) => {
      if (lines.length > 0) {
        setMessage({ kind: 'error', text: '请先结算或挂单当前销售，再取单' });
        return;
      }
      try {
        const got = await api.recallSale({ session: session.session, id });
        refreshHeld();
        const recalled: SaleLine[] = [];
        for (const l of got.sale.lines) {
          const hit = (await api.search({ text: l.code, limit: 5 })).items.find((h) => isExact(h, l.code));
          if (hit) recalled.push({ key: `${hit.code}-${Date.now()}-${recalled.length}`, item: hit, quantity: String(l.quantity), days: l.days ? String(l.days) : '', dispensed: NO_DISPENSED });
        }
        await doLookup(String(got.sale.patient));
        setLines(recalled);
        // The same requestId: settling the recalled sale twice settles it once.
        requestId.current = got.requestId;
        setMessage({ kind: 'info', text: `已取单：${got.label}` });
      } catch (e) {
        const b = asBridgeError(e);
        if (b.code === 'SESSION_EXPIRED') onSessionLost();
        setMessage({ kind: 'error', text: b.zh('；') });
        refreshHeld();
      }
    },
    [api, lines, session, doLookup, refreshHeld, onSessionLost],
  );

  // Not covered by the scheme (not eligible): the sale can still be made as self-pay, recorded and printed as such.
  const canSelfPay = Boolean(patientKey && quote && !quote.eligible && validLines.length === lines.length && lines.length > 0 && !settling);
  const selfPay = useCallback(async () => {
    if (!canSelfPay || !patientKey || !quote) return;
    setSettling(true);
    setMessage(null);
    try {
      const out = await api.cashSale({ session: session.session, requestId: requestId.current, kind: 'self-pay', patient: patientKey, lines: validLines.map((l) => ({ code: l.item.code, quantity: l.quantity })), reason: quote.reasons[0]?.message ?? undefined });
      let printError: string | null = null;
      try {
        await window.counterShell!.print({ html: out.html, widthMm: out.pageSize.widthMm, heightMm: out.pageSize.heightMm, printer: settings?.settings.printers.receipt ?? '' });
      } catch (e) {
        printError = asBridgeError(e).messageZh;
      }
      clearSale();
      setMessage(printError ? { kind: 'error', text: `已按自费结算（票据号 ${out.receiptNo}），但打印失败：${printError}` } : { kind: 'ok', text: `已按自费结算：票据号 ${out.receiptNo}，个人支付 ¥${out.total}` });
    } catch (e) {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setMessage({ kind: 'error', text: b.zh('；') });
    } finally {
      setSettling(false);
    }
  }, [api, canSelfPay, patientKey, quote, validLines, session, settings, clearSale, onSessionLost]);

  const firstBlocked = useMemo(() => {
    const l = quote?.lines.find((x) => x.blockedBy.length > 0);
    return l ? { lineId: l.lineId, rule: l.blockedBy[0]!, drug: l.item.name, findingZh: l.warnings.find((w) => w.code === l.blockedBy[0])?.message ?? '' } : null;
  }, [quote]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A dialog (override, dispense, discard, filing) owns the keyboard while it is open (its own Enter and Esc).
      if (override || dispensing || askDiscard || filing) return;
      if (e.key === 'F8') {
        e.preventDefault();
        if (firstBlocked) setOverride(firstBlocked);
      } else if (e.key === 'F5') {
        e.preventDefault();
        void hold();
      } else if (e.key === 'F12' || (e.key === 'Enter' && e.ctrlKey)) {
        e.preventDefault();
        void confirm();
      } else if (e.ctrlKey && !e.altKey && (e.key === 'p' || e.key === 'P')) {
        // Ctrl+P prints the last sale's continuous prescription (F10 is the 自费·异地·备案 page).
        e.preventDefault();
        if (last) void reprintRef.current('prescription');
      } else if (e.altKey && (e.key === 't' || e.key === 'T')) {
        e.preventDefault();
        const l = lines[lines.length - 1];
        if (l) setDispensing(l.key);
      } else if (e.key === 'F2') {
        e.preventDefault();
        patientRef.current?.focus();
      } else if (e.key === 'F3') {
        e.preventDefault();
        itemRef.current?.focus();
      } else if (e.key === 'Escape' && !hits) {
        e.preventDefault();
        // Esc never wipes a sale unasked: a sale in progress asks first (and can be restored once).
        if (hasSale) setAskDiscard(true);
        else setMessage(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [confirm, hold, hits, override, dispensing, askDiscard, filing, hasSale, firstBlocked, last, lines]);

  const overridden = (out: MethodOutput<'overrideBlock'>) => {
    quoteSeq.current += 1; // an older quote still on its way must not bring the block back
    setQuote(out.quote);
    setOverride(null);
    const o = out.override;
    setMessage({ kind: 'ok', text: `已登记放行：${o.drug}（${o.ruleZh}），放行人 ${o.operator.name}（${o.operator.roleZh}），理由：${o.reason}` });
    itemRef.current?.focus();
  };

  const reprint = async (doc: 'receipt' | 'prescription' | 'drug-list' | 'public-list') => {
    try {
      const out = await printDocument(session.session, doc, doc === 'public-list' ? undefined : last?.id, settings?.settings);
      setMessage({ kind: 'info', text: `已发送打印${out.copy > 1 ? `（第 ${out.copy - 1} 次补打）` : ''}` });
    } catch (e) {
      setMessage({ kind: 'error', text: asBridgeError(e).messageZh });
    }
  };

  const reprintRef = useRef(reprint);
  reprintRef.current = reprint;

  const quoteLine = (code: string) => quote?.lines.find((l) => l.item.code === code);
  const dispenseLine = lines.find((l) => l.key === dispensing) ?? null;

  return (
    <div className="counter">
      <section className="left">
        <div className="card scan">
          <label htmlFor="patient-input">
            <kbd>F2</kbd> 患者：扫医保码 / 读社保卡 / 输入身份证号（扫票据号可退费）
          </label>
          <input
            id="patient-input"
            ref={patientRef}
            className="bigInput"
            value={patientInput}
            autoComplete="off"
            spellCheck={false}
            placeholder="扫码或输入后按回车"
            data-testid="patient-input"
            onChange={(e) => setPatientInput(e.target.value)}
            onKeyDown={(e) => {
              patientTiming.onKeyDown(e);
              if (e.key === 'Enter') {
                e.preventDefault();
                patientTiming.take();
                void doLookup(patientInput);
              }
            }}
          />
          {lookupBusy && <div className="muted">正在查询…</div>}
        </div>
        <PatientPanel lookup={lookup} figureZh={quote?.cap.figureZh ?? null} />
        <div className="card pay">
            <PaymentPanel due={quote?.patientPays ?? null} methods={quote?.payableWith ?? ['cash', 'wechat', 'alipay', 'card']} draft={payDraft} onChange={setPayDraft} />
            <button className="ghost" disabled={!patientKey || lines.length === 0} onClick={() => void hold()} data-testid="hold">
              挂单 <kbd>F5</kbd>
            </button>
        </div>
        <HeldSales items={held} onRecall={(id) => void recall(id)} />
        {last && (
          <div className="card last" data-testid="last-sale">
            <div className="row">
              <span>上一笔</span>
              <b className="mono" data-testid="last-receipt">{last.receiptNo}</b>
            </div>
            <div className="row">
              <span>{last.patient.nameMasked}</span>
              <span>
                统筹 {yuan(last.fund)} · 个人 <b>{yuan(last.patientPays)}</b>
              </span>
            </div>
            {last.poolFigureZh && (
              <div className="muted small" data-testid="last-pool-figure">
                {last.poolFigureZh}
              </div>
            )}
            <div className="actions">
              <button onClick={() => reprint('receipt')} data-testid="reprint-receipt">补打结算单</button>
              <button onClick={() => reprint('prescription')} data-testid="print-prescription">连续处方 <kbd>Ctrl+P</kbd></button>
              <button onClick={() => reprint('drug-list')} data-testid="print-druglist">一人一药单</button>
            </div>
          </div>
        )}
      </section>

      <section className="right">
        <div className="card scan">
          <label htmlFor="item-input">
            <kbd>F3</kbd> 药品：扫包装条码 / 输入编码、名称或拼音首字母
          </label>
          <div className="searchWrap">
            <input
              id="item-input"
              ref={itemRef}
              className="bigInput"
              value={itemInput}
              autoComplete="off"
              spellCheck={false}
              placeholder={patientKey ? '如 aldp（氨氯地平）或扫码' : '请先识别患者'}
              disabled={!patientKey}
              data-testid="item-input"
              onChange={(e) => {
                picked.current = false;
                setItemInput(e.target.value);
              }}
              onKeyDown={(e) => {
                itemTiming.onKeyDown(e);
                if (e.key === 'ArrowDown' && hits?.length) {
                  e.preventDefault();
                  picked.current = true;
                  setHitIndex((i) => Math.min(i + 1, hits.length - 1));
                } else if (e.key === 'ArrowUp' && hits?.length) {
                  e.preventDefault();
                  picked.current = true;
                  setHitIndex((i) => Math.max(i - 1, 0));
                } else if (e.key === 'Escape' && (hits !== null || e.currentTarget.value !== '')) {
                  // Esc first closes the list and clears the field; only an Esc on an empty field
                  // reaches the sale (which then asks before discarding it).
                  e.preventDefault();
                  e.stopPropagation();
                  setHits(null);
                  setItemInput('');
                } else if (e.key === 'Enter' && !e.ctrlKey) {
                  e.preventDefault();
                  const c = itemTiming.take();
                  // The field itself, not the last render's state: a fast scanner's Enter can
                  // arrive before React has re-rendered with the last digit.
                  const text = e.currentTarget.value.trim();
                  if (!text) return;
                  // No live search may start (and outdate this Enter's lookup) once Enter is pressed.
                  if (liveTimer.current) clearTimeout(liveTimer.current);
                  // An exact code or barcode wins whatever the key timing (renderer/itemEnter.ts).
                  const act = itemEnterAction({ text, hits, hitIndex, scan: c.kind === 'scan', picked: picked.current });
                  if (act.kind === 'add') addItem(act.item);
                  else if (act.kind === 'lookup') {
                    // A scan's field is emptied at once: the next package scanned before this lookup
                    // answers must not be typed behind this code.
                    if (c.kind === 'scan') {
                      e.currentTarget.value = '';
                      setItemInput('');
                    }
                    void runSearch(act.text, true, act.orPick);
                  }
                }
              }}
            />
            {hits && hits.length === 0 && itemInput.trim() !== '' && (
              <div className="hits nomatch" role="status" data-testid="search-results">
                无匹配：目录中没有与“{itemInput.trim()}”相符的编码、名称或拼音首字母
              </div>
            )}
            {hits && hits.length > 0 && (
              <ul className="hits" role="listbox" data-testid="search-results">
                {hits.map((h, i) => (
                  <li key={h.code} role="option" aria-selected={i === hitIndex} className={i === hitIndex ? 'hit active' : 'hit'} onMouseDown={(e) => { e.preventDefault(); addItem(h); }}>
                    <span className="hname">
                      {h.name}
                      {h.tradeName && <small>（{h.tradeName}）</small>}
                    </span>
                    <span className="hspec">{[h.form, h.spec].filter(Boolean).join(' ')}</span>
                    <Badges item={h} />
                    <span className="hprice">{yuan(h.price)}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>

        <div className="card lines" data-testid="lines-box">
          <table className="lineTable" data-testid="lines">
            <thead>
              <tr>
                <th>药品</th>
                <th className="num">单价<div className="small">支付标准</div></th>
                <th className="num">数量</th>
                <th className="num" title="处方用药天数（填写后检查超量与提前取药）">天数</th>
                <th className="num">金额</th>
                <th className="num">统筹支付</th>
                <th className="num">个人支付</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {lines.length === 0 && (
                <tr>
                  <td colSpan={8} className="emptyRow">
                    {patientKey ? '扫码或搜索添加药品' : '先扫描患者的医保码、社保卡或输入身份证号'}
                  </td>
                </tr>
              )}
              {lines.map((l, i) => {
                const q = quoteLine(l.item.code);
                const badQty = !QTY.test(l.quantity) || Number(l.quantity) <= 0;
                return (
                  <tr key={l.key} data-testid={`line-${i}`} className={q && !q.covered ? 'uncovered' : ''}>
                    <td>
                      <div className="lname">
                        {l.item.name} <Badges item={l.item} />
                      </div>
                      <div className="muted small">{[l.item.spec, l.item.manufacturer].filter(Boolean).join(' · ')}</div>
                      {q && <LineWhy line={q} testId={`why-${i}`} />}
                      {q?.warnings.map((w) => (
                        <div key={w.code} className={q.blocked && (w.code === 'MAX_SUPPLY' || w.code === 'EARLY_REFILL') ? 'warn block' : 'warn'} data-testid="line-warning">
                          ⚠ {w.message}
                        </div>
                      ))}
                      {q && q.blockedBy.length > 0 && (
                        <button
                          className="override"
                          data-testid={`override-${i}`}
                          onClick={() => setOverride({ lineId: q.lineId, rule: q.blockedBy[0]!, drug: q.item.name, findingZh: q.warnings.find((w) => w.code === q.blockedBy[0])?.message ?? '' })}
                        >
                          放行… <kbd>F8</kbd>
                        </button>
                      )}
                      {q && lookup?.patient && quote && q.warnings.some((w) => UNFILED[w.code]) && (
                        <button
                          className="override"
                          data-testid={`add-condition-${i}`}
                          onClick={() => setFiling({ kind: 'add', psnNo: lookup.patient!.psnNo, current: lookup.patient!.conditions, add: UNFILED[q.warnings.find((w) => UNFILED[w.code])!.code]!, date: quote.date, drug: q.item.name })}
                        >
                          办理新增病种备案…
                        </button>
                      )}
                      {badQty && <div className="warn">数量须为大于 0 的数字</div>}
                    </td>
                    <td className="num">
                      {yuan(l.item.price)}
                      <div className="muted small">{l.item.paymentStandard ? yuan(l.item.paymentStandard) : '—'}</div>
                    </td>
                    <td className="num">
                      <input
                        className={badQty ? 'qty bad' : 'qty'}
                        value={l.quantity}
                        inputMode="decimal"
                        aria-label={`${l.item.name} 数量`}
                        data-testid={`qty-${i}`}
                        onChange={(e) => setLines((ls) => ls.map((x) => (x.key === l.key ? { ...x, quantity: e.target.value.trim() } : x)))}
                      />
                    </td>
                    <td className="num">
                      <input
                        className={l.days !== '' && !DAYS.test(l.days) ? 'qty days bad' : 'qty days'}
                        value={l.days}
                        inputMode="numeric"
                        placeholder="—"
                        aria-label={`${l.item.name} 用药天数`}
                        data-testid={`days-${i}`}
                        onChange={(e) => setLines((ls) => ls.map((x) => (x.key === l.key ? { ...x, days: e.target.value.trim() } : x)))}
                      />
                    </td>
                    <td className="num">{q ? yuan(q.total) : '…'}</td>
                    <td className="num fund" data-testid={`fund-${i}`}>{q ? yuan(q.fund) : '…'}</td>
                    <td className="num">{q ? yuan(q.patient) : '…'}</td>
                    <td className="rowacts">
                      {/* Beside the delete button rather than under the name: a line stays one row lower, so four fit at 768 px. */}
                      <button className="ghost small" title="追溯码、批号、效期与用法用量（Alt+T）" onClick={() => setDispensing(l.key)} data-testid={`dispense-${i}`}>
                        追溯{l.dispensed.traceCodes.length > 0 ? `（${l.dispensed.traceCodes.length}）` : ''}
                      </button>
                      <button className="ghost del" aria-label="删除" data-testid={`delete-${i}`} onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}>
                        ✕
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>

        {message && (
          <div className={`message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="message">
            {message.text}
          </div>
        )}
        {quoteError && <div className="message error" data-testid="quote-error">{quoteError}</div>}
        {quote?.blocked && (
          <div className="message error" data-testid="supply-blocked">
            用药监管：标红的药品{quote.lines.some((l) => l.blocked && l.warnings.some((w) => w.code === 'MAX_SUPPLY')) ? `超出单次最长 ${quote.supply?.maxDaysPerPrescription ?? ''} 天用药量（${quote.supply?.source ?? ''}）` : '上次配药尚未用完，未到可再次配药的日期'}，不能结算。请调整数量或天数；确有需要时，药师或管理员可按 <kbd>F8</kbd> 写明理由后放行。
          </div>
        )}
        {filing && (
          <FilingDialog
            target={filing}
            session={session}
            onCancel={() => {
              setFiling(null);
              itemRef.current?.focus();
            }}
            onSessionLost={onSessionLost}
            onDone={(out) => {
              setFiling(null);
              // Look the patient up again and re-price the lines under the new filing (the lookup clears messages: say it after).
              const done = () => setMessage({ kind: 'ok', text: `${out.summaryZh}（现备案病种：${out.conditionsZh}）` });
              if (patientKey) {
                void doLookup(patientKey).then(() => {
                  setLines((ls) => [...ls]);
                  done();
                });
              } else done();
            }}
          />
        )}
        {dispenseLine && (
          <DispenseDialog
            drug={dispenseLine.item.name}
            boxes={Math.max(1, Math.ceil(Number(dispenseLine.quantity) || 1))}
            value={dispenseLine.dispensed}
            otherCodes={new Set(lines.filter((x) => x.key !== dispenseLine.key).flatMap((x) => x.dispensed.traceCodes))}
            onSave={(d) => {
              setLines((ls) => ls.map((x) => (x.key === dispenseLine.key ? { ...x, dispensed: d } : x)));
              setDispensing(null);
              itemRef.current?.focus();
            }}
            onCancel={() => {
              setDispensing(null);
              itemRef.current?.focus();
            }}
          />
        )}
        {askDiscard && <DiscardDialog lines={lines.length} patient={lookup?.patient?.nameMasked ?? null} onDiscard={discardSale} onKeep={() => setAskDiscard(false)} />}
        {discarded && !hasSale && (
          <div className="message info restore">
            已放弃上一单（{discarded.lines.length} 个药品）。
            <button className="ghost" onClick={restoreSale} data-testid="restore-sale">
              恢复上一单
            </button>
          </div>
        )}
        {override && patientKey && (
          <OverrideDialog
            target={override}
            session={session}
            request={{ patient: patientKey, lines: saleLines(validLines), ...(quotePrescription ? { prescription: quotePrescription } : {}) }}
            onDone={overridden}
            onCancel={() => {
              setOverride(null);
              itemRef.current?.focus();
            }}
            onSessionLost={onSessionLost}
          />
        )}

        <div className="card footer">
          <PrescriptionFields rx={rx} setRx={setRx} pharmacy={pharmacy} />
          <div className="totals" data-testid="totals">
            <div>
              <span>合计</span>
              <b data-testid="total">{quote ? yuan(quote.total) : '—'}</b>
            </div>
            <div className="fund">
              <span>统筹支付</span>
              <b data-testid="total-fund">{quote ? yuan(quote.fund) : '—'}</b>
            </div>
            <div className="pay">
              <span>个人支付</span>
              <b data-testid="total-patient">{quote ? yuan(quote.patientPays) : '—'}</b>
            </div>
          </div>
          {canSelfPay && (
            <button className="confirm" onClick={() => void selfPay()} data-testid="self-pay">
              不享受两病待遇：按自费结算
            </button>
          )}
          <button className="primary confirm" disabled={!canConfirm} onClick={() => void confirm()} data-testid="confirm">
            {settling ? '正在结算…' : '确认结算'} <kbd>F12</kbd>
          </button>
        </div>
      </section>
    </div>
  );
}

function Badges({ item }: { item: Hit }) {
  return (
    <span className="badges">
      {item.listed ? <span className="badge green">两病目录</span> : <span className="badge grey">目录外</span>}
      {item.vbp && <span className="badge blue">集采</span>}
      {item.grade && <span className="badge outline">{item.grade}类</span>}
      {item.demo && <span className="badge amber" title="演示数据：价格为虚构，仅供演示">演示价</span>}
    </span>
  );
}

/** `figureZh`: with a hub, whose figure of the year's used amount the quote was priced from (the quote's, newer than the lookup's). */
function PatientPanel({ lookup, figureZh }: { lookup: Lookup | null; figureZh: string | null }) {
  if (!lookup) {
    return (
      <div className="card patient empty" data-testid="patient-panel">
        <div className="placeholder">等待识别患者</div>
      </div>
    );
  }
  if (!lookup.found || !lookup.patient) {
    return (
      <div className="card patient notfound" data-testid="patient-panel">
        <h3>未找到患者</h3>
        {lookup.problems.map((p, i) => (
          <div key={i} className="warn" data-testid="lookup-problem">{p.messageZh}</div>
        ))}
        {lookup.problems.length === 0 && <div className="warn">该患者不在本地两病名单中。请核对证件，或按普通门诊结算。</div>}
      </div>
    );
  }
  const p = lookup.patient;
  const cap = p.cap;
  const pct = cap && Number(cap.limit) > 0 ? Math.min(100, (Number(cap.used) / Number(cap.limit)) * 100) : 0;
  return (
    <div className={`card patient ${p.eligible ? 'ok' : 'bad'}`} data-testid="patient-panel">
      <div className="pname">
        <b data-testid="patient-name">{p.nameMasked}</b>
        <span>{p.gender}{p.age != null ? ` · ${p.age}岁` : ''}</span>
        <span className="mono">{p.certnoMasked}</span>
      </div>
      <div className="chips">
        <span className="chip">{p.insuranceZh}</span>
        {p.conditions.map((c) => (
          <span key={c} className="chip strong">{c === 'hypertension' ? '高血压' : '糖尿病'}</span>
        ))}
        {p.managementClass != null && <span className="chip">{p.managementClass === 1 ? '一类管理' : '二类管理'}</span>}
        {p.status !== 'active' && <span className="chip red">{p.status === 'stopped' ? '已停止' : '名单状态异常'}</span>}
      </div>
      <div className={`elig ${p.eligible ? 'ok' : 'bad'}`} data-testid="eligibility">
        {p.eligible ? '✔ 享受两病门诊用药保障' : '✖ 本次不享受两病待遇'}
        {p.reasons.map((r) => (
          <div key={r.code} className="reason">{r.message}</div>
        ))}
      </div>
      {lookup.online && (lookup.online.differences.length > 0 || lookup.online.noteZh) && (
        <div data-testid="online-differences">
          {lookup.online.noteZh && <div className="warn">{lookup.online.noteZh}</div>}
          {lookup.online.differences.map((d, i) => (
            <div key={i} className="warn">{d.messageZh}</div>
          ))}
        </div>
      )}
      <dl className="facts">
        <dt>执行政策</dt>
        <dd data-testid="policy">{p.policy ? `${p.policy.name}（${p.policy.version} 起）` : '—'}</dd>
        <dt>定点机构</dt>
        <dd>{p.designatedInstitution ? `${p.designatedInstitution}${p.designatedHere === true ? '（本机构）' : p.designatedHere === false ? '（非本机构）' : ''}` : '未选定'}</dd>
      </dl>
      {cap && (
        <div className="cap" data-testid="cap">
          <div className="capHead">
            <span>年度支付限额</span>
            <span>
              已用 <b>¥{cap.used}</b> / 限额 ¥{cap.limit}
            </span>
          </div>
          <div className="bar" role="meter" aria-valuemin={0} aria-valuemax={Number(cap.limit)} aria-valuenow={Number(cap.used)}>
            <div className={pct > 90 ? 'fill red' : pct > 70 ? 'fill amber' : 'fill'} style={{ width: `${pct}%` }} />
          </div>
          <div className="capLeft">
            剩余 <b data-testid="cap-left">¥{cap.left}</b>
          </div>
          {(figureZh ?? cap.figureZh) && (
            <div className={(figureZh ?? cap.figureZh)!.startsWith('未连上') ? 'capFigure warn' : 'capFigure'} data-testid="cap-figure">
              {figureZh ?? cap.figureZh}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

type OperatorItem = MethodOutput<'operators'>['items'][number];

/**
 * Recording an override of a supervision block: the reason is written out; a pharmacist or an
 * administrator signed in confirms it, a billing clerk needs one of them to authorise with their
 * own PIN (the service decides; the dialog only asks). Enter records, Esc cancels.
 */
function OverrideDialog({
  target,
  session,
  request,
  onDone,
  onCancel,
  onSessionLost,
}: {
  target: OverrideTarget;
  session: Session;
  request: { patient: string; lines: { code: string; quantity: string; days?: number }[]; prescription?: MethodArgs<'quote'>['prescription'] };
  onDone: (out: MethodOutput<'overrideBlock'>) => void;
  onCancel: () => void;
  onSessionLost: () => void;
}) {
  const api = window.counter!;
  const needsAuthorizer = session.operator.role === 'clerk';
  const [reason, setReason] = useState('');
  const [authorizers, setAuthorizers] = useState<OperatorItem[]>([]);
  const [authId, setAuthId] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef<HTMLInputElement>(null);

  useEffect(() => reasonRef.current?.focus(), []);
  useEffect(() => {
    if (!needsAuthorizer) return;
    api.operators({}).then(
      (r) => {
        const ok = r.items.filter((o) => o.role === 'pharmacist' || o.role === 'admin');
        setAuthorizers(ok);
        setAuthId((x) => x || ok[0]?.id || '');
      },
      () => {},
    );
  }, [api, needsAuthorizer]);

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const out = await api.overrideBlock({
        session: session.session,
        ...request,
        lineId: target.lineId,
        rule: target.rule,
        reason,
        ...(needsAuthorizer && pin ? { authorizer: { operatorId: authId, pin } } : {}),
      });
      onDone(out);
    } catch (e) {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setError(b.zh());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="放行用药监管拦截" testId="override-dialog" onCancel={onCancel} onSubmit={() => void submit()}>
      <div className="warn block">
        <b>{target.drug}</b>（{RULE_ZH[target.rule]}）：{target.findingZh}
      </div>
      <label>
        放行理由（必填，至少{OVERRIDE_MIN}个字，将记入监管放行记录）
        <input ref={reasonRef} value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} placeholder="如：患者外出务工，需带足用药" data-testid="override-reason" />
      </label>
      {needsAuthorizer && (
        <fieldset className="authorizer">
          <legend>收费员不能放行：请药师或管理员授权</legend>
          <select value={authId} onChange={(e) => setAuthId(e.target.value)} aria-label="授权人" data-testid="override-authorizer">
            {authorizers.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}（{o.roleZh}）
              </option>
            ))}
          </select>
          <input type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value.trim())} placeholder="授权人 PIN" aria-label="授权人 PIN" data-testid="override-pin" />
        </fieldset>
      )}
      <ModalActions error={error} errorTestId="override-error" confirmLabel="登记放行" confirmKey="Enter" confirmTestId="override-confirm" onConfirm={() => void submit()} onCancel={onCancel} busy={busy} />
    </Modal>
  );
}
