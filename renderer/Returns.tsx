// Returns and reversals, one search away: find the sale by receipt number or patient, tick the
// lines to take back (nothing is ticked for the operator) and how many of each (all that is left
// unless changed: one box of three, or part boxes where the item splits), write the reason, then
// confirm a second time on a summary of what goes back per line and per payment method; the
// 退费凭证 prints. A return is a new record; the original is never changed.
import { useEffect, useRef, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import { printDocument } from './print.ts';
import { Modal } from './Modal.tsx';
import type { Session } from './App.tsx';

type S = MethodOutput<'getSettlement'>;
type Preview = MethodOutput<'returnPreview'>;

/** Packages, up to 4 decimals (part packages are refused by the counter unless the item splits). */
const QTY = /^\d{1,7}(\.\d{1,4})?$/;

export function Returns({ session, onDone, onSessionLost, initialText = '', settings = null }: { session: Session; onDone: () => void; onSessionLost: () => void; initialText?: string; settings?: MethodOutput<'getSettings'> | null }) {
  const api = window.counter!;
  const [text, setText] = useState(initialText);
  const [items, setItems] = useState<S[]>([]);
  const [chosen, setChosen] = useState<S | null>(null);
  const [pick, setPick] = useState<Record<string, boolean>>({});
  /** The quantity to return per ticked line (all that is left until changed). */
  const [qty, setQty] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  const returnKey = useRef<string>(crypto.randomUUID());

  const find = async (t: string, autoChoose = true) => {
    try {
      const found = (await api.findSettlements({ text: t, limit: 30 })).items;
      setItems(found);
      // A receipt number brings its sale straight up, ready to return.
      if (autoChoose && t && found.length === 1 && found[0]!.receiptNo === t) choose(found[0]!);
    } catch (e) {
      setMessage({ kind: 'error', text: asBridgeError(e).messageZh });
    }
  };
  useEffect(() => {
    ref.current?.focus();
    void find(initialText);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const choose = (s: S) => {
    setChosen(s);
    setPick({});
    setQty({});
    setReason('');
    setPreview(null);
    setMessage(null);
  };

  const returnable = (l: S['lines'][number]) => Number(l.left) > 0;
  const picked = chosen ? chosen.lines.filter((l) => pick[l.lineId] && returnable(l)) : [];
  const qtyOf = (l: S['lines'][number]) => (qty[l.lineId] ?? l.left).trim();
  const qtyBad = (l: S['lines'][number]) => !QTY.test(qtyOf(l)) || Number(qtyOf(l)) <= 0;
  /** A line goes as its id when all that is left of it returns, else with the quantity. */
  const returnLines = () => picked.map((l) => (qtyOf(l) === l.left ? l.lineId : { lineId: l.lineId, quantity: qtyOf(l) }));
  /** Everything still left on the sale goes back: a full reversal. */
  const takesAll = () => Boolean(chosen) && chosen!.lines.filter(returnable).every((l) => pick[l.lineId] && qtyOf(l) === l.left);

  /** First step: what would go back, per line and per payment method, before anything is written. */
  const ask = async () => {
    if (!chosen || picked.length === 0 || !reason.trim()) return;
    setMessage(null);
    try {
      setPreview(await api.returnPreview({ settlementId: chosen.id, lines: returnLines() }));
      // One key per confirmation: a double click or a retry of the same return is recorded once.
      returnKey.current = crypto.randomUUID();
    } catch (e) {
      setMessage({ kind: 'error', text: asBridgeError(e).zh() });
    }
  };

  const reverse = async () => {
    if (!chosen) return;
    const partial = !takesAll();
    setPreview(null);
    try {
      const r = await api.reverse({
        session: session.session,
        settlementId: chosen.id,
        reason,
        lines: partial ? returnLines() : undefined,
        requestId: returnKey.current,
      });
      let printError = '';
      try {
        await printDocument(session.session, 'receipt', r.id, settings?.settings);
      } catch (e) {
        printError = `；退费凭证打印失败：${asBridgeError(e).messageZh}`;
      }
      const how = r.payment ? `（${r.payment.methods.map((m) => `${m.methodZh} ¥${m.amount.replace('-', '')}`).join('，')}）` : '';
      setMessage({ kind: 'ok', text: `已${partial ? '部分退费' : '全额冲销'}：冲销单号 ${r.receiptNo}，退回统筹 ¥${r.fund.replace('-', '')}，退还个人 ¥${r.patientPays.replace('-', '')}${how}${printError}` });
      setChosen(null);
      onDone();
      void find(text, false); // refresh the list, keep the confirmation on screen
    } catch (e) {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setMessage({ kind: 'error', text: b.zh() });
    }
  };

  return (
    <div className="page returns">
      <h2>退药退费 / 冲销</h2>
      <input
        ref={ref}
        className="bigInput"
        placeholder="输入票据号、结算流水号、患者证件号，回车查找"
        value={text}
        data-testid="returns-search"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void find(text);
          }
        }}
      />
      {message && <div className={`message ${message.kind}`} data-testid="returns-message">{message.text}</div>}
      <div className="split">
        <table className="list" data-testid="returns-list">
          <thead><tr><th>票据号</th><th>日期</th><th>患者</th><th className="num">合计</th><th className="num">统筹</th><th>状态</th></tr></thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.id} className={chosen?.id === s.id ? 'chosen' : ''} onClick={() => choose(s)} tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && choose(s)}>
                <td className="mono">{s.receiptNo}{s.kind === 'reversal' && <span className="tag">冲销</span>}</td>
                <td>{s.date}</td>
                <td>{s.patient.nameMasked}</td>
                <td className="num">¥{s.total}</td>
                <td className="num">¥{s.fund}</td>
                <td>
                  {s.reversedBy.length === 0 ? (
                    <span className={`tag ${s.outbox.state === 'acked' ? 'green' : 'amber'}`}>{s.outbox.stateZh}</span>
                  ) : s.lines.every((l) => Number(l.left) <= 0) ? (
                    <span className="tag grey">已冲销</span>
                  ) : (
                    <span className="tag amber">部分退费</span>
                  )}
                </td>
              </tr>
            ))}
            {items.length === 0 && <tr><td colSpan={6} className="emptyRow">没有找到结算记录</td></tr>}
          </tbody>
        </table>
        {chosen && (
          <div className="card" data-testid="return-detail">
            <h3>票据 {chosen.receiptNo}</h3>
            <table className="list" data-testid="return-lines">
              <thead><tr><th>退回</th><th>药品</th><th className="num">售出</th><th className="num">可退</th><th className="num">退回数量</th><th className="num">统筹</th></tr></thead>
              <tbody>
                {chosen.lines.map((l, i) => (
                  <tr key={l.lineId} data-testid={`return-line-${i}`} className={returnable(l) ? '' : 'muted'}>
                    <td><input type="checkbox" disabled={!returnable(l)} checked={Boolean(pick[l.lineId]) && returnable(l)} onChange={(e) => setPick({ ...pick, [l.lineId]: e.target.checked })} aria-label={`退回 ${l.name}`} /></td>
                    <td>{l.name}</td>
                    <td className="num">{l.quantity}</td>
                    <td className="num" data-testid={`return-left-${i}`}>{returnable(l) ? l.left : '已退完'}</td>
                    <td className="num">
                      <input
                        className={pick[l.lineId] && qtyBad(l) ? 'qty bad' : 'qty'}
                        inputMode="decimal"
                        disabled={!pick[l.lineId] || !returnable(l)}
                        value={pick[l.lineId] && returnable(l) ? qtyOf(l) : ''}
                        onChange={(e) => {
                          setQty({ ...qty, [l.lineId]: e.target.value });
                          setPreview(null);
                        }}
                        aria-label={`${l.name} 退回数量`}
                        data-testid={`return-qty-${i}`}
                      />
                    </td>
                    <td className="num">¥{l.fund}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button className="ghost" onClick={() => (setPick(Object.fromEntries(chosen.lines.filter(returnable).map((l) => [l.lineId, true]))), setQty({}))} data-testid="return-all">全选</button>
            <label>原因<input value={reason} placeholder="请填写退费原因" onChange={(e) => setReason(e.target.value)} data-testid="return-reason" /></label>
            <button className="primary" disabled={chosen.kind === 'reversal' || picked.length === 0 || picked.some(qtyBad) || !reason.trim()} onClick={() => void ask()} data-testid="return-confirm">
              退费…
            </button>
            {preview && (
              <Modal title={`确认退费：票据 ${preview.receiptNo}`} testId="return-preview" onCancel={() => setPreview(null)}>
                <ul data-testid="return-preview-lines">
                  {preview.lines.map((l) => (
                    <li key={l.lineId}>
                      {l.name} 退回 {l.quantity}{Number(l.left) > 0 ? `（退后尚余 ${l.left}）` : ''}：统筹 ¥{l.fund}，个人 ¥{l.patient}
                    </li>
                  ))}
                </ul>
                <div>应退个人支付 <b data-testid="return-amount">¥{preview.amount}</b>　退回统筹 <b data-testid="return-fund">¥{preview.fund}</b></div>
                {preview.refund ? (
                  <ul data-testid="return-methods">
                    {preview.refund.methods.map((m) => (
                      <li key={m.method}>退回{m.methodZh} ¥{m.amount.replace('-', '')}</li>
                    ))}
                  </ul>
                ) : (
                  <div className="muted">原结算由收银系统收款，请在收银系统中退款。</div>
                )}
                <div className="muted">医保统筹部分由医保平台退回。</div>
                <div className="actions">
                  <button className="primary" onClick={() => void reverse()} data-testid="return-final">确认退费</button>
                  <button className="ghost" onClick={() => setPreview(null)}>取消 <kbd>Esc</kbd></button>
                </div>
              </Modal>
            )}
            {chosen.reversedBy.length > 0 && <div className="muted">{chosen.lines.some(returnable) ? '此结算已部分退费，可继续退回剩余数量' : '此结算已全部退费'}</div>}
          </div>
        )}
      </div>
    </div>
  );
}
