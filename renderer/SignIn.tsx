// Operator sign-in: pick who you are, type the PIN, Enter. Every settlement records this operator.
import { useEffect, useRef, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import type { Session } from './App.tsx';

type Operators = MethodOutput<'operators'>;

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const api = window.counter!;
  const [ops, setOps] = useState<Operators | null>(null);
  const [chosen, setChosen] = useState<string>('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [first, setFirst] = useState({ id: 'admin', name: '', pin: '' });
  const pinRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api.operators({}).then((o) => {
      setOps(o);
      if (o.items[0]) setChosen(o.items[0].id);
    }, (e) => setError(asBridgeError(e).messageZh));
  }, [api]);

  useEffect(() => pinRef.current?.focus(), [chosen]);

  const submit = async () => {
    setError(null);
    try {
      onSignedIn(await api.signIn({ operatorId: chosen, pin }));
    } catch (e) {
      setError(asBridgeError(e).messageZh);
      setPin('');
    }
  };

  const createFirst = async () => {
    setError(null);
    try {
      await api.createOperator({ id: first.id, name: first.name, role: 'admin', pin: first.pin });
      onSignedIn(await api.signIn({ operatorId: first.id, pin: first.pin }));
    } catch (e) {
      const b = asBridgeError(e);
      setError(b.zh('；'));
    }
  };

  if (ops?.needsFirstAdmin) {
    return (
      <div className="signin card">
        <h2>首次使用：创建管理员</h2>
        <label>账号<input value={first.id} onChange={(e) => setFirst({ ...first, id: e.target.value })} /></label>
        <label>姓名<input value={first.name} onChange={(e) => setFirst({ ...first, name: e.target.value })} /></label>
        <label>PIN（4–8 位数字）<input type="password" inputMode="numeric" value={first.pin} onChange={(e) => setFirst({ ...first, pin: e.target.value })} /></label>
        {error && <div className="error">{error}</div>}
        <button className="primary" onClick={createFirst}>创建并登录</button>
      </div>
    );
  }

  return (
    <form
      className="signin card"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>操作员登录</h2>
      <div className="operators" role="radiogroup" aria-label="操作员">
        {ops?.items.map((o) => (
          <button type="button" key={o.id} role="radio" aria-checked={chosen === o.id} className={chosen === o.id ? 'op chosen' : 'op'} onClick={() => setChosen(o.id)} data-testid={`op-${o.id}`}>
            <b>{o.name}</b>
            <small>{o.roleZh}</small>
          </button>
        ))}
      </div>
      <label>
        PIN
        <input ref={pinRef} type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} data-testid="pin" />
      </label>
      {error && <div className="error" role="alert">{error}</div>}
      <button className="primary big" type="submit" disabled={!chosen || pin.length < 4}>
        登录 <kbd>Enter</kbd>
      </button>
    </form>
  );
}
