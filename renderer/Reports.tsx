// The bureau reports on screen (core/reports through the service): choose the month and the
// report (↑↓), read it with its chart, download CSV / XLSX, print or save as PDF through the
// shell (the browser's print dialog; Electron prints with an explicit A4 landscape page).
import { useCallback, useEffect, useRef, useState } from 'react';
import { REPORT_NAMES, REPORT_TITLE_ZH, type MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import type { Session } from './App.tsx';

type ReportName = (typeof REPORT_NAMES)[number];
type Out = MethodOutput<'report'>;

function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** Saves a report file through the browser's download (a blob link clicked once, then released). */
function download(out: Out): void {
  const bytes = out.encoding === 'base64' ? Uint8Array.from(atob(out.content), (c) => c.charCodeAt(0)) : new TextEncoder().encode(out.content);
  const url = URL.createObjectURL(new Blob([bytes], { type: out.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = out.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Reports({ session, onSessionLost }: { session: Session; onSessionLost: () => void }) {
  const api = window.counter!;
  const [month, setMonth] = useState(thisMonth);
  const [name, setName] = useState<ReportName>('monthly-residents');
  const [out, setOut] = useState<Out | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const seq = useRef(0);

  const fail = useCallback(
    (e: unknown) => {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setError(b.zh());
    },
    [onSessionLost],
  );

  useEffect(() => {
    if (!/^\d{4}-\d{2}$/.test(month)) return;
    const n = ++seq.current;
    setBusy(true);
    api.report({ session: session.session, name, month, format: 'html' }).then(
      (r) => {
        if (n !== seq.current) return;
        setOut(r);
        setError(null);
        setBusy(false);
      },
      (e) => {
        if (n !== seq.current) return;
        setOut(null);
        setBusy(false);
        fail(e);
      },
    );
  }, [api, session.session, name, month, fail]);

  useEffect(() => {
    (listRef.current?.querySelector('button.active') as HTMLButtonElement | null)?.focus();
  }, []);

  const get = async (format: 'csv' | 'xlsx') => {
    try {
      download(await api.report({ session: session.session, name, month, format }));
    } catch (e) {
      fail(e);
    }
  };
  const print = async () => {
    if (!out) return;
    try {
      await window.counterShell!.print({ html: out.content, widthMm: 297, heightMm: 210, printer: '', archiveName: `report-${out.name}-${out.month}.pdf` });
    } catch (e) {
      fail(e);
    }
  };

  const onListKey = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const i = REPORT_NAMES.indexOf(name);
    const next = REPORT_NAMES[(i + (e.key === 'ArrowDown' ? 1 : REPORT_NAMES.length - 1)) % REPORT_NAMES.length]!;
    setName(next);
    setTimeout(() => (listRef.current?.querySelector(`[data-report="${next}"]`) as HTMLButtonElement | null)?.focus(), 0);
  };

  return (
    <div className="reports">
      <div className="card">
        <label className="muted small" htmlFor="report-month">
          月份
        </label>
        <div>
          <input id="report-month" type="month" value={month} max={thisMonth()} onChange={(e) => setMonth(e.target.value)} data-testid="report-month" />
        </div>
        <div className="list" ref={listRef} role="listbox" aria-label="报表" onKeyDown={onListKey} data-testid="report-list">
          {REPORT_NAMES.map((n) => (
            <button key={n} role="option" aria-selected={n === name} data-report={n} className={n === name ? 'active' : ''} onClick={() => setName(n)} data-testid={`report-${n}`}>
              {REPORT_TITLE_ZH[n]}
            </button>
          ))}
        </div>
        <p className="muted small">↑↓ 选择报表。数据来自本机结算记录，退费冲减原结算所在月份。</p>
      </div>
      <div className="card view">
        <div className="tools">
          <b data-testid="report-title">{out?.titleZh ?? REPORT_TITLE_ZH[name]}</b>
          <span className="muted">{month}</span>
          {busy && <span className="muted">正在生成…</span>}
          <span style={{ marginLeft: 'auto' }} />
          <button onClick={() => void get('csv')} data-testid="report-csv">下载 CSV</button>
          <button onClick={() => void get('xlsx')} data-testid="report-xlsx">下载 Excel</button>
          <button onClick={() => void print()} disabled={!out} data-testid="report-print">打印 / 存为 PDF</button>
        </div>
        {out && (
          <div className="summary" data-testid="report-summary">
            {Object.entries(out.summary).map(([k, v]) => (
              <span key={k} className="chip">
                {k} <b>{String(v)}</b>
              </span>
            ))}
          </div>
        )}
        {error && (
          <div className="message error" role="alert" data-testid="report-error">
            {error}
          </div>
        )}
        {out && <iframe title={out.titleZh} srcDoc={out.content} sandbox="allow-same-origin" data-testid="report-frame" />}
      </div>
    </div>
  );
}
