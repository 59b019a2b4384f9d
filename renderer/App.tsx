// The counter app: sign-in, then one counter screen with the returns, attention and settings
// pages one key away. The outbox state and platform reachability stay visible on every page.
import { useCallback, useEffect, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import { Counter } from './Counter.tsx';
import { Returns } from './Returns.tsx';
import { Attention } from './Attention.tsx';
import { Settings } from './Settings.tsx';
import { Reports } from './Reports.tsx';
import { Uncovered } from './Uncovered.tsx';
import { SignIn } from './SignIn.tsx';
import { ShiftClose } from './ShiftClose.tsx';

type Page = 'counter' | 'returns' | 'attention' | 'reports' | 'uncovered' | 'shift' | 'settings';
export type Session = MethodOutput<'signIn'>;
type Status = MethodOutput<'outboxStatus'>;
type SettingsOut = MethodOutput<'getSettings'>;

const PAGES: { id: Page; key: string; label: string }[] = [
  { id: 'counter', key: 'F1', label: '收银' },
  { id: 'returns', key: 'F4', label: '退药退费' },
  { id: 'attention', key: 'F6', label: '待处理' },
  { id: 'reports', key: 'F7', label: '报表' },
  { id: 'uncovered', key: 'F10', label: '自费·异地·备案' },
  { id: 'shift', key: 'F11', label: '交班' },
  { id: 'settings', key: 'F9', label: '设置' },
];

const SESSION_KEY = 'lbc.session';

export function App() {
  const api = window.counter;
  const [session, setSession] = useState<Session | null>(() => {
    const saved = sessionStorage.getItem(SESSION_KEY);
    return saved ? (JSON.parse(saved) as Session) : null;
  });
  const [page, setPage] = useState<Page>('counter');
  const [status, setStatus] = useState<Status | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [settings, setSettings] = useState<SettingsOut | null>(null);
  const [returnText, setReturnText] = useState('');

  const refreshStatus = useCallback(async () => {
    if (!api) return;
    try {
      setStatus(await api.outboxStatus({}));
      setStatusError(null);
    } catch (e) {
      setStatusError(asBridgeError(e).messageZh);
    }
  }, [api]);

  const refreshSettings = useCallback(async () => {
    if (!api) return;
    try {
      setSettings(await api.getSettings({}));
    } catch {
      /* shown on the settings page */
    }
  }, [api]);

  useEffect(() => {
    void refreshStatus();
    void refreshSettings();
    const t = setInterval(() => void refreshStatus(), 1500);
    return () => clearInterval(t);
  }, [refreshStatus, refreshSettings]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const p = PAGES.find((x) => x.key === e.key);
      if (p && session) {
        e.preventDefault();
        setPage(p.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  const signedIn = (s: Session) => {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    setSession(s);
    setPage('counter');
    setReturnText('');
  };
  const signOut = async () => {
    if (session && api) await api.signOut({ session: session.session }).catch(() => {});
    sessionStorage.removeItem(SESSION_KEY);
    setSession(null);
  };
  /** A session the service no longer knows (restart): back to sign-in. */
  const onSessionLost = () => {
    sessionStorage.removeItem(SESSION_KEY);
    setSession(null);
  };

  if (!api) {
    return (
      <div className="fatal">
        <h1>无法连接柜台服务</h1>
        <p>打开地址只能使用一次，一分钟内有效。请在启动程序的窗口中按回车键重新打开柜台，或在桌面版中运行。</p>
      </div>
    );
  }

  const inst = settings?.settings.institution;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo">两病柜台</span>
          {inst && (
            <span className="inst" data-testid="institution">
              {inst.name}
              <small>
                {inst.code} · {inst.type === 'pharmacy' ? '定点零售药店' : `${['', '一', '二', '三'][inst.level]}级医疗机构`} · {settings?.policies.find((p) => p.id === inst.policy)?.name ?? inst.policy}
              </small>
            </span>
          )}
        </div>
        {session && (
          <nav className="tabs" data-testid="tabs">
            {PAGES.map((p) => (
              <button key={p.id} className={page === p.id ? 'tab active' : 'tab'} onClick={() => setPage(p.id)} title={`快捷键 ${p.key}`} data-testid={`tab-${p.id}`}>
                <kbd>{p.key}</kbd> {p.label}
                {p.id === 'attention' && status && status.attention > 0 && <span className="badge red">{status.attention}</span>}
              </button>
            ))}
          </nav>
        )}
        <OutboxPill status={status} error={statusError} onClick={() => session && setPage('attention')} />
        {session && (
          <div className="who">
            <span data-testid="operator">
              {session.operator.name}
              <small>{session.operator.roleZh}</small>
            </span>
            <button className="ghost" onClick={signOut}>
              退出
            </button>
          </div>
        )}
      </header>
      <main className="main">
        {!session ? (
          <SignIn onSignedIn={signedIn} />
        ) : page === 'counter' ? (
          <Counter
            session={session}
            onSettled={refreshStatus}
            onSessionLost={onSessionLost}
            onOpenReturn={(receipt) => {
              setReturnText(receipt);
              setPage('returns');
            }}
            settings={settings}
          />
        ) : page === 'returns' ? (
          <Returns session={session} onDone={refreshStatus} onSessionLost={onSessionLost} initialText={returnText} settings={settings} />
        ) : page === 'shift' ? (
          <ShiftClose session={session} onSessionLost={onSessionLost} onClosed={refreshStatus} />
        ) : page === 'attention' ? (
          <Attention status={status} session={session.session} onChanged={refreshStatus} />
        ) : page === 'reports' ? (
          <Reports session={session} onSessionLost={onSessionLost} />
        ) : page === 'uncovered' ? (
          <Uncovered session={session} onSessionLost={onSessionLost} />
        ) : (
          <Settings session={session} onSaved={refreshSettings} />
        )}
      </main>
    </div>
  );
}

function OutboxPill({ status, error, onClick }: { status: Status | null; error: string | null; onClick: () => void }) {
  if (error) return <div className="pill red" data-testid="outbox">服务未响应：{error}</div>;
  if (!status) return <div className="pill" data-testid="outbox">…</div>;
  const cls = status.attention > 0 ? 'red' : status.waiting > 0 ? 'amber' : 'green';
  const reach = status.platform.reachable;
  return (
    <button className={`pill ${cls}`} onClick={onClick} data-testid="outbox" title={`${reach === true ? '医保平台在线' : reach === false ? '医保平台离线' : '平台未检测'}：${status.platform.endpoint || '未配置平台地址'}`}>
      <span className={`dot ${reach === true ? 'ok' : reach === false ? 'down' : 'unknown'}`} data-testid="platform" data-reachable={String(reach)} />
      <span>{reach === true ? '医保平台在线' : reach === false ? '医保平台离线' : '平台未检测'}</span>
      <span className="sep">|</span>
      <span data-testid="outbox-summary">{status.summaryZh}</span>
    </button>
  );
}
