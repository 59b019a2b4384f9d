// What needs the operator: settlements the platform refused, could not confirm, or gave up on,
// each with what to do in plain words.
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';

type Items = MethodOutput<'attention'>['items'];

/** Stored times are UTC (ISO); the counter shows local wall-clock time. */
const local = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '');
type Status = MethodOutput<'outboxStatus'>;

export function Attention({ status, session, onChanged }: { status: Status | null; session: string; onChanged: () => void }) {
  const api = window.counter!;
  const [items, setItems] = useState<Items | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.attention({}).then(
        (r) => live && setItems(r.items),
        (e) => live && setError(asBridgeError(e).messageZh),
      );
    void load();
    const t = setInterval(load, 3000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [api]);

  return (
    <div className="page">
      <h2>待处理事项</h2>
      {status && (
        <div className="stats">
          <div className="stat"><b>{status.uploaded}</b><span>已上传</span></div>
          <div className="stat amber"><b>{status.waiting}</b><span>待上传</span></div>
          <div className="stat red"><b>{status.attention}</b><span>需处理</span></div>
          <div className="stat"><b>{status.platform.reachable === true ? '在线' : status.platform.reachable === false ? '离线' : '未知'}</b><span>医保平台{status.platform.checkedAt ? `（${local(status.platform.checkedAt).slice(-8)}）` : ''}</span></div>
        </div>
      )}
      {error && <div className="error">{error}</div>}
      {items && items.length === 0 && <div className="empty" data-testid="attention-empty">没有需要处理的结算。待上传的结算会在平台恢复后自动补传，无需手工操作。</div>}
      {items && items.length > 0 && (
        <table className="list" data-testid="attention-list">
          <thead><tr><th>票据号</th><th>状态</th><th>问题</th><th>怎么办</th><th>时间</th><th></th></tr></thead>
          <tbody>
            {items.map((i) => (
              <tr key={`${i.state}-${i.settlementId}`}>
                <td className="mono">{i.receiptNo}</td>
                <td><span className={`tag ${i.state === 'ambiguous' ? 'amber' : 'red'}`}>{i.stateZh}</span></td>
                <td>{i.problemZh}</td>
                <td>{i.whatToDoZh}</td>
                <td className="mono">{local(i.since)}</td>
                <td>
                  {i.canRetry && (
                    <button
                      onClick={() =>
                        api.retryUpload({ session, settlementId: i.settlementId }).then(
                          () => onChanged(),
                          (e) => setError(asBridgeError(e).messageZh),
                        )
                      }
                    >
                      重新上传
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
