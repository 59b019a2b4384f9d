// Operator accounts on the settings page: every operator changes their own PIN (the current PIN
// asked again); an administrator disables an operator who has left (they can no longer sign in,
// their past settlements keep their name) or enables them again.
import { useCallback, useEffect, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import type { Session } from './App.tsx';

type Account = MethodOutput<'operatorAccounts'>['items'][number];

export function ChangePin({ session }: { session: Session }) {
  const api = window.counter!;
  const [pins, setPins] = useState({ current: '', next: '', again: '' });
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const submit = async () => {
    if (pins.next !== pins.again) return setMsg({ kind: 'error', text: '两次输入的新 PIN 不一致' });
    try {
      await api.changePin({ session: session.session, currentPin: pins.current, newPin: pins.next });
      setPins({ current: '', next: '', again: '' });
      setMsg({ kind: 'ok', text: '已修改 PIN，下次登录请使用新 PIN' });
    } catch (e) {
      setMsg({ kind: 'error', text: asBridgeError(e).zh('；') });
    }
  };
  return (
    <fieldset data-testid="change-pin">
      <legend>修改我的 PIN（{session.operator.name}）</legend>
      <label>原 PIN<input type="password" inputMode="numeric" value={pins.current} onChange={(e) => setPins({ ...pins, current: e.target.value.trim() })} data-testid="pin-current" /></label>
      <label>新 PIN（4–8 位数字）<input type="password" inputMode="numeric" value={pins.next} onChange={(e) => setPins({ ...pins, next: e.target.value.trim() })} data-testid="pin-new" /></label>
      <label>再次输入新 PIN<input type="password" inputMode="numeric" value={pins.again} onChange={(e) => setPins({ ...pins, again: e.target.value.trim() })} data-testid="pin-again" /></label>
      <button onClick={() => void submit()} data-testid="pin-save">修改 PIN</button>
      {msg && <div className={`message ${msg.kind}`} role={msg.kind === 'error' ? 'alert' : 'status'} data-testid="pin-message">{msg.text}</div>}
    </fieldset>
  );
}

export function OperatorAccounts({ session }: { session: Session }) {
  const api = window.counter!;
  const [items, setItems] = useState<Account[]>([]);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const load = useCallback(() => api.operatorAccounts({ session: session.session }).then((o) => setItems(o.items), (e) => setMsg({ kind: 'error', text: asBridgeError(e).messageZh })), [api, session]);
  useEffect(() => void load(), [load]);
  const toggle = async (o: Account) => {
    try {
      await api.setOperatorActive({ session: session.session, operatorId: o.id, active: !o.active });
      setMsg({ kind: 'ok', text: o.active ? `已停用 ${o.name}：不能再登录` : `已启用 ${o.name}` });
      void load();
    } catch (e) {
      setMsg({ kind: 'error', text: asBridgeError(e).zh('；') });
    }
  };
  return (
    <fieldset data-testid="operator-accounts">
      <legend>操作员账号（停用与启用）</legend>
      <table className="list">
        <thead><tr><th>账号</th><th>姓名</th><th>角色</th><th>状态</th><th></th></tr></thead>
        <tbody>
          {items.map((o) => (
            <tr key={o.id} data-testid={`account-${o.id}`}>
              <td className="mono">{o.id}</td>
              <td>{o.name}</td>
              <td>{o.roleZh}</td>
              <td>{o.active ? '在用' : '已停用'}</td>
              <td>
                {o.id !== session.operator.id && (
                  <button onClick={() => void toggle(o)} data-testid={`toggle-${o.id}`}>
                    {o.active ? '停用' : '启用'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {msg && <div className={`message ${msg.kind}`} role={msg.kind === 'error' ? 'alert' : 'status'} data-testid="accounts-message">{msg.text}</div>}
    </fieldset>
  );
}
