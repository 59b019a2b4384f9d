// 交班 and 日结: the signed-in operator's shift statement (sales, returns, by payment method, the
// cash the drawer should hold), printed with 交班人/接班人 signature lines; and the day close,
// which runs the reconciliation with the insurance platform and says what it found.
import { useCallback, useEffect, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import type { Session } from './App.tsx';

type Shift = MethodOutput<'shiftStatement'>;
type Close = MethodOutput<'closeDay'>;

export function ShiftClose({ session, onSessionLost, onClosed }: { session: Session; onSessionLost: () => void; onClosed: () => void }) {
  const api = window.counter!;
  const [shift, setShift] = useState<Shift | null>(null);
  const [close, setClose] = useState<Close | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const fail = useCallback(
    (e: unknown) => {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setMessage({ kind: 'error', text: b.zh('；') });
    },
    [onSessionLost],
  );
  const load = useCallback(async () => {
    try {
      setShift(await api.shiftStatement({ session: session.session }));
    } catch (e) {
      fail(e);
    }
  }, [api, session, fail]);
  useEffect(() => void load(), [load]);

  const print = async () => {
    if (!shift) return;
    try {
      await window.counterShell!.print({ html: shift.html, widthMm: shift.pageSize.widthMm, heightMm: shift.pageSize.heightMm, printer: '' });
      setMessage({ kind: 'ok', text: '交班单已打印，请交班人和接班人签字。' });
    } catch (e) {
      fail(e);
    }
  };

  const closeDay = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await api.closeDay({ session: session.session });
      setClose(r);
      onClosed();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page shift">
      <h2>交班 / 日结</h2>
      {message && <div className={`message ${message.kind}`} data-testid="shift-message">{message.text}</div>}
      {shift && (
        <div className="card" data-testid="shift-statement">
          <h3>
            {shift.operator.name}（{shift.operator.roleZh}）本班：{shift.from.slice(11, 16)} 至 {shift.to.slice(11, 16)}
          </h3>
          <table className="list">
            <tbody>
              <tr><td>销售</td><td className="num" data-testid="shift-sales">{shift.sales.count} 笔</td><td className="num">费用 ¥{shift.sales.total}</td><td className="num">个人支付 ¥{shift.sales.patient}</td></tr>
              <tr><td>退费</td><td className="num" data-testid="shift-returns">{shift.returns.count} 笔</td><td className="num">费用 ¥{shift.returns.total}</td><td className="num">个人退回 ¥{shift.returns.patient}</td></tr>
            </tbody>
          </table>
          <table className="list" data-testid="shift-methods">
            <thead><tr><th>支付方式</th><th className="num">收款</th><th className="num">退款</th><th className="num">净额</th></tr></thead>
            <tbody>
              {shift.byMethod.map((m) => (
                <tr key={m.method}><td>{m.methodZh}</td><td className="num">¥{m.received}</td><td className="num">¥{m.refunded}</td><td className="num">¥{m.net}</td></tr>
              ))}
              {shift.byMethod.length === 0 && <tr><td colSpan={4} className="emptyRow">本班还没有收款</td></tr>}
            </tbody>
          </table>
          <div className="big">应有现金（不含备用金）<b data-testid="shift-cash">¥{shift.cashExpected}</b></div>
          {shift.unrecorded > 0 && <div className="muted">另有 {shift.unrecorded} 笔由收银系统收款，未计入上表。</div>}
          <div className="actions">
            <button onClick={() => void load()}>刷新</button>
            <button className="primary" onClick={() => void print()} data-testid="shift-print">打印交班单</button>
          </div>
        </div>
      )}
      <div className="card" data-testid="day-close">
        <h3>日结（与医保平台对总账）</h3>
        <p className="muted">当天的结算全部上传后，与医保平台核对总额。</p>
        <button className="primary" disabled={busy} onClick={() => void closeDay()} data-testid="close-day">{busy ? '正在对账…' : '日结对账'}</button>
        {close && (
          <div data-testid="close-result">
            <div className={`message ${close.balanced ? 'ok' : 'error'}`}>{close.summaryZh}</div>
            <table className="list">
              <thead><tr><th>险种</th><th className="num">笔数</th><th className="num">医疗费用</th><th className="num">统筹支付</th><th>结果</th></tr></thead>
              <tbody>
                {close.groups.map((g, i) => (
                  <tr key={i}><td>{g.insuranceZh}</td><td className="num">{g.count}</td><td className="num">¥{g.medfee}</td><td className="num">¥{g.fund}</td><td>{g.resultZh}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}
