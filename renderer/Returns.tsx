// Returns and reversals, one search away: find the sale by receipt number or patient, choose
// the whole sale or some lines, give a reason, confirm. A reversal is a new record; the
// original is never changed.
import { useEffect, useRef, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import type { Session } from './App.tsx';

type S = MethodOutput<'getSettlement'>;

export function Returns({ session, onDone, onSessionLost, initialText = '' }: { session: Session; onDone: () => void; onSessionLost: () => void; initialText?: string }) {
  const api = window.counter!;
  const [text, setText] = useState(initialText);
  const [items, setItems] = useState<S[]>([]);
  const [chosen, setChosen] = useState<S | null>(null);
  const [pick, setPick] = useState<Record<string, boolean>>({});
  const [reason, setReason] = useState('患者退药');
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
    setPick(Object.fromEntries(s.lines.map((l) => [l.lineId, true])));
    setMessage(null);
  };

  const reverse = async () => {
    if (!chosen) return;
    const partial = chosen.lines.some((l) => !pick[l.lineId]);
    try {
      const r = await api.reverse({
        session: session.session,
        settlementId: chosen.id,
        reason,
        lines: partial ? chosen.lines.filter((l) => pick[l.lineId]).map((l) => l.lineId) : undefined,
      });
      setMessage({ kind: 'ok', text: `已${partial ? '部分退费' : '全额冲销'}：冲销单号 ${r.receiptNo}，退回统筹 ¥${r.fund.replace('-', '')}，退还个人 ¥${r.patientPays.replace('-', '')}` });
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
            <label>原因<input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="return-reason" /></label>
            <button className="primary" disabled={chosen.kind === 'reversal' || chosen.reversedBy.length > 0} onClick={() => void reverse()} data-testid="return-confirm">
              确认退费
            </button>
            {chosen.reversedBy.length > 0 && <div className="muted">此结算已冲销</div>}
          </div>
        )}
      </div>
    </div>
  );
}
