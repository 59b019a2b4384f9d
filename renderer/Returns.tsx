// Returns and reversals, one search away: find the sale by receipt number or patient, tick the
// lines to take back (nothing is ticked for the operator), write the reason, then confirm a
// second time on a summary of what goes back per payment method; the 退费凭证 prints. A
// reversal is a new record; the original is never changed.
import { useEffect, useRef, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import { printDocument } from './print.ts';
import type { Session } from './App.tsx';

type S = MethodOutput<'getSettlement'>;
type Preview = MethodOutput<'returnPreview'>;

export function Returns({ session, onDone, onSessionLost, initialText = '', settings = null }: { session: Session; onDone: () => void; onSessionLost: () => void; initialText?: string; settings?: MethodOutput<'getSettings'> | null }) {
  const api = window.counter!;
  const [text, setText] = useState(initialText);
  const [items, setItems] = useState<S[]>([]);
  const [chosen, setChosen] = useState<S | null>(null);
  const [pick, setPick] = useState<Record<string, boolean>>({});
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const ref = useRef<HTMLInputElement>(null);

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
    setReason('');
    setPreview(null);
    setMessage(null);
  };

  const picked = chosen ? chosen.lines.filter((l) => pick[l.lineId]) : [];
  /** First step: what would go back, per payment method, before anything is written. */
  const ask = async () => {
    if (!chosen || picked.length === 0 || !reason.trim()) return;
    try {
      setPreview(await api.returnPreview({ settlementId: chosen.id, lines: picked.map((l) => l.lineId) }));
    } catch (e) {
      setMessage({ kind: 'error', text: asBridgeError(e).zh() });
    }
  };

  const reverse = async () => {
    if (!chosen) return;
    const partial = chosen.lines.some((l) => !pick[l.lineId]);
    setPreview(null);
    try {
      const r = await api.reverse({
        session: session.session,
        settlementId: chosen.id,
        reason,
        lines: partial ? chosen.lines.filter((l) => pick[l.lineId]).map((l) => l.lineId) : undefined,
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
                <td>{s.reversedBy.length > 0 ? <span className="tag grey">已冲销</span> : <span className={`tag ${s.outbox.state === 'acked' ? 'green' : 'amber'}`}>{s.outbox.stateZh}</span>}</td>
              </tr>
            ))}
            {items.length === 0 && <tr><td colSpan={6} className="emptyRow">没有找到结算记录</td></tr>}
          </tbody>
        </table>
        {chosen && (
          <div className="card" data-testid="return-detail">
            <h3>票据 {chosen.receiptNo}</h3>
            <table className="list">
              <thead><tr><th>退回</th><th>药品</th><th className="num">数量</th><th className="num">统筹</th></tr></thead>
              <tbody>
                {chosen.lines.map((l) => (
                  <tr key={l.lineId}>
                    <td><input type="checkbox" checked={Boolean(pick[l.lineId])} onChange={(e) => setPick({ ...pick, [l.lineId]: e.target.checked })} aria-label={`退回 ${l.name}`} /></td>
                    <td>{l.name}</td>
                    <td className="num">{l.quantity}</td>
                    <td className="num">¥{l.fund}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button className="ghost" onClick={() => setPick(Object.fromEntries(chosen.lines.map((l) => [l.lineId, true])))} data-testid="return-all">全选</button>
            <label>原因<input value={reason} placeholder="请填写退费原因" onChange={(e) => setReason(e.target.value)} data-testid="return-reason" /></label>
            <button className="primary" disabled={chosen.kind === 'reversal' || chosen.reversedBy.length > 0 || picked.length === 0 || !reason.trim()} onClick={() => void ask()} data-testid="return-confirm">
              退费…
            </button>
            {preview && (
              <div className="card confirmBox" role="dialog" aria-label="确认退费" data-testid="return-preview">
                <h3>确认退费：票据 {preview.receiptNo}</h3>
                <ul>
                  {preview.lines.map((l) => (
                    <li key={l.lineId}>{l.name} × {l.quantity}，个人支付 ¥{l.patient}</li>
                  ))}
                </ul>
                <div>应退个人支付 <b data-testid="return-amount">¥{preview.amount}</b></div>
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
                <button className="primary" onClick={() => void reverse()} data-testid="return-final">确认退费</button>
                <button className="ghost" onClick={() => setPreview(null)}>取消</button>
              </div>
            )}
            {chosen.reversedBy.length > 0 && <div className="muted">此结算已冲销</div>}
          </div>
        )}
      </div>
    </div>
  );
}
