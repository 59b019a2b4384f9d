// Settings: the institution, the region policy, the platform endpoint, the printers (PrinterSetup)
// and the operators (OperatorAccounts).
// Administrators change them; everyone can see them.
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import { printDocument } from './print.ts';
import type { Session } from './App.tsx';
import { ChangePin, OperatorAccounts } from './OperatorAccounts.tsx';
import { PrinterSetup } from './PrinterSetup.tsx';

type Out = MethodOutput<'getSettings'>;
type Form = Out['settings'];

export function Settings({ session, onSaved }: { session: Session; onSaved: () => void }) {
  const api = window.counter!;
  const [data, setData] = useState<Out | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string; fields?: Record<string, string> } | null>(null);
  useEffect(() => {
    api.getSettings({}).then((d) => {
      setData(d);
      setForm(d.settings);
    }, (e) => setMessage({ kind: 'error', text: asBridgeError(e).messageZh }));
  }, [api]);
  if (!form || !data) return <div className="page">{message?.text ?? '加载中…'}</div>;
  const admin = session.operator.role === 'admin';
  const inst = form.institution;
  const set = (patch: Partial<Form['institution']>) => setForm({ ...form, institution: { ...inst, ...patch } });
  const fieldErr = (path: string) => message?.fields?.[path] && <span className="fielderr">{message.fields[path]}</span>;

  const save = async () => {
    try {
      const d = await api.saveSettings({ session: session.session, settings: form });
      setData(d);
      setForm(d.settings);
      setMessage({ kind: 'ok', text: '已保存' });
      onSaved();
    } catch (e) {
      const b = asBridgeError(e);
      setMessage({ kind: 'error', text: b.messageZh, fields: Object.fromEntries(b.problems.map((p) => [p.path.replace(/^settings\./, ''), p.messageZh])) });
    }
  };

  return (
    <div className="page settings">
      <h2>设置</h2>
      {!admin && <div className="message info">仅管理员可以修改设置。</div>}
      <fieldset disabled={!admin}>
        <legend>本机构</legend>
        <label>机构编码<input value={inst.code} onChange={(e) => set({ code: e.target.value })} data-testid="set-code" />{fieldErr('institution.code')}</label>
        <label>机构名称<input value={inst.name} onChange={(e) => set({ name: e.target.value })} />{fieldErr('institution.name')}</label>
        <label>机构类型
          <select value={inst.type} onChange={(e) => set({ type: e.target.value as 'clinic' | 'pharmacy' })}>
            <option value="clinic">医疗机构（卫生院/卫生室）</option>
            <option value="pharmacy">定点零售药店</option>
          </select>
        </label>
        <label>机构等级
          <select value={inst.level} onChange={(e) => set({ level: Number(e.target.value) as 1 | 2 | 3 })}>
            <option value={1}>一级及以下（基层）</option>
            <option value={2}>二级</option>
            <option value={3}>三级</option>
          </select>
        </label>
        <label>执行政策（统筹地区）
          <select value={inst.policy} onChange={(e) => set({ policy: e.target.value })} data-testid="set-policy">
            {data.policies.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <label>行政区划代码<input value={inst.regionCode} onChange={(e) => set({ regionCode: e.target.value })} /></label>
      </fieldset>
      <fieldset disabled={!admin}>
        <legend>医保平台</legend>
        <label>接口地址<input value={form.platform.endpoint} onChange={(e) => setForm({ ...form, platform: { endpoint: e.target.value } })} placeholder="http://…" />{fieldErr('platform.endpoint')}</label>
      </fieldset>
      <PrinterSetup form={form} setPrinters={(printers) => setForm({ ...form, printers })} session={session} admin={admin} />
      {message && <div className={`message ${message.kind}`} data-testid="settings-message">{message.text}</div>}
      {admin && <button className="primary" onClick={() => void save()} data-testid="settings-save">保存设置</button>}
      <Operators session={session} />
      <ChangePin session={session} />
      {admin && <OperatorAccounts session={session} />}
      <fieldset>
        <legend>公示</legend>
        <div className="muted">在显著位置公示两病用药保障范围的药品品种及价格（昆医保通〔2023〕60号 九）。</div>
        <div>
          <button
            data-testid="print-public-list"
            onClick={() =>
              void printDocument(session.session, 'public-list', undefined, form).then(
                () => setMessage({ kind: 'ok', text: '已发送打印：两病用药公示清单' }),
                (e) => setMessage({ kind: 'error', text: asBridgeError(e).messageZh }),
              )
            }
          >
            打印药品品种及价格公示
          </button>
        </div>
      </fieldset>
    </div>
  );
}

type Ops = MethodOutput<'operators'>['items'];

/** Who may sign in; administrators add pharmacists, billing clerks and other administrators. */
function Operators({ session }: { session: Session }) {
  const api = window.counter!;
  const [items, setItems] = useState<Ops>([]);
  const [draft, setDraft] = useState({ id: '', name: '', role: 'pharmacist' as 'pharmacist' | 'clerk' | 'admin', pin: '' });
  const [msg, setMsg] = useState<string | null>(null);
  const load = () => api.operators({}).then((o) => setItems(o.items), () => {});
  useEffect(() => void load(), []); // eslint-disable-line react-hooks/exhaustive-deps
  const admin = session.operator.role === 'admin';
  const add = async () => {
    try {
      await api.createOperator({ session: session.session, ...draft });
      setDraft({ id: '', name: '', role: 'pharmacist', pin: '' });
      setMsg('已添加');
      void load();
    } catch (e) {
      const b = asBridgeError(e);
      setMsg(b.zh('；'));
    }
  };
  return (
    <fieldset>
      <legend>操作员</legend>
      <table className="list" data-testid="operators">
        <thead><tr><th>账号</th><th>姓名</th><th>角色</th></tr></thead>
        <tbody>{items.map((o) => <tr key={o.id}><td className="mono">{o.id}</td><td>{o.name}</td><td>{o.roleZh}</td></tr>)}</tbody>
      </table>
      {admin && (
        <div className="addop">
          <label>账号<input value={draft.id} onChange={(e) => setDraft({ ...draft, id: e.target.value })} /></label>
          <label>姓名<input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} /></label>
          <label>角色
            <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value as typeof draft.role })}>
              <option value="pharmacist">药师</option><option value="clerk">收费员</option><option value="admin">管理员</option>
            </select>
          </label>
          <label>PIN<input type="password" inputMode="numeric" value={draft.pin} onChange={(e) => setDraft({ ...draft, pin: e.target.value })} /></label>
          <button onClick={() => void add()}>添加操作员</button>
          {msg && <span className="muted">{msg}</span>}
        </div>
      )}
    </fieldset>
  );
}
