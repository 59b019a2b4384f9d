// 打印设置 on the settings page: the printer for each document chosen from the system's list
// (the desktop shell asks Electron; in a browser the system print dialog chooses, so the name is
// optional), the paper per document, the offsets that move every page on the paper, and a test
// page per document through the same path as a real print (recorded like any print).
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import { printDocument } from './print.ts';
import type { Session } from './App.tsx';

type Printers = MethodOutput<'getSettings'>['settings']['printers'];
type Form = MethodOutput<'getSettings'>['settings'];
type Listed = { name: string; displayName: string; isDefault: boolean };

const DOCS = [
  { key: 'receipt', label: '结算单' },
  { key: 'prescription', label: '处方与清单' },
] as const;

export function PrinterSetup({ form, setPrinters, session, admin }: { form: Form; setPrinters: (p: Printers) => void; session: Session; admin: boolean }) {
  const [listed, setListed] = useState<Listed[] | null>(null);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const p = form.printers;
  useEffect(() => {
    const shell = window.counterShell;
    if (!shell?.printers) return setListed([]);
    shell.printers().then(setListed, () => setListed([]));
  }, []);

  const testPage = async (doc: 'receipt' | 'prescription') => {
    try {
      const out = await printDocument(session.session, 'test-page', undefined, form, doc);
      setMsg({ kind: 'ok', text: `已发送测试页（${doc === 'receipt' ? '结算单' : '处方'}打印机，第 ${out.copy} 张）` });
    } catch (e) {
      setMsg({ kind: 'error', text: asBridgeError(e).messageZh });
    }
  };

  const num = (text: string) => {
    const n = Number(text);
    return Number.isFinite(n) ? Math.max(-20, Math.min(20, n)) : 0;
  };

  return (
    <fieldset data-testid="printer-setup">
      <legend>打印机</legend>
      {listed !== null && listed.length === 0 && <div className="muted">浏览器中打印时由系统打印对话框选择打印机；打印机名称可留空。</div>}
      {DOCS.map((d) => {
        const nameKey = d.key;
        const layoutKey = d.key === 'receipt' ? 'receiptLayout' : 'prescriptionLayout';
        return (
          <div key={d.key} className="row">
            <label>
              {d.label}打印机
              {listed && listed.length > 0 ? (
                <select disabled={!admin} value={p[nameKey]} onChange={(e) => setPrinters({ ...p, [nameKey]: e.target.value })} data-testid={`printer-${d.key}`}>
                  <option value="">系统默认打印机</option>
                  {listed.map((x) => (
                    <option key={x.name} value={x.name}>
                      {x.displayName}
                      {x.isDefault ? '（默认）' : ''}
                    </option>
                  ))}
                </select>
              ) : (
                <input disabled={!admin} value={p[nameKey]} onChange={(e) => setPrinters({ ...p, [nameKey]: e.target.value })} placeholder="留空使用系统默认" data-testid={`printer-${d.key}`} />
              )}
            </label>
            <label>
              纸张
              <select disabled={!admin} value={p[layoutKey]} onChange={(e) => setPrinters({ ...p, [layoutKey]: e.target.value as 'a5' | '80mm' })} data-testid={`paper-${d.key}`}>
                <option value="80mm">80 mm 小票</option>
                <option value="a5">A5</option>
              </select>
            </label>
            <button onClick={() => void testPage(d.key)} data-testid={`test-page-${d.key}`}>
              打印测试页
            </button>
          </div>
        );
      })}
      <div className="row">
        <label>
          上边距偏移（毫米，负数上移）
          <input disabled={!admin} type="number" step="0.5" min={-20} max={20} value={p.offsetTopMm} onChange={(e) => setPrinters({ ...p, offsetTopMm: num(e.target.value) })} data-testid="offset-top" />
        </label>
        <label>
          左边距偏移（毫米，负数左移）
          <input disabled={!admin} type="number" step="0.5" min={-20} max={20} value={p.offsetLeftMm} onChange={(e) => setPrinters({ ...p, offsetLeftMm: num(e.target.value) })} data-testid="offset-left" />
        </label>
      </div>
      {msg && <div className={`message ${msg.kind}`} role={msg.kind === 'error' ? 'alert' : 'status'} data-testid="printer-message">{msg.text}</div>}
    </fieldset>
  );
}
