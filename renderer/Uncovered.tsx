// Patients and sales the two-disease settlement does not cover, handled rather than turned away:
// a self-pay sale (自费), an out-of-area patient (异地) settled through the platform where it settles
// 异地 directly, else paying here with a 垫付 claim receipt,
// someone not on the roster (filing here, or the candidates list for the health commission,
// exported with personal data masked), and the stock compliance report.
import { useCallback, useEffect, useState } from 'react';
import type { MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import { FilingDialog, type FilingTarget } from './FilingDialog.tsx';
import type { Session } from './App.tsx';

type Kind = 'self-pay' | 'out-of-area';
type Condition = 'hypertension' | 'diabetes';
type Cash = MethodOutput<'cashSale'>;
type Stock = MethodOutput<'stockCompliance'>;
type Candidates = MethodOutput<'candidates'>;
type Offer = MethodOutput<'filingOffer'>;

const newId = () => crypto.randomUUID();
const ZH: Record<Condition, string> = { hypertension: '高血压', diabetes: '糖尿病' };

function saveFile(name: string, text: string, mime: string) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Uncovered({ session, onSessionLost }: { session: Session; onSessionLost: () => void }) {
  const api = window.counter!;
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);
  const fail = useCallback(
    (e: unknown) => {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setMessage({ kind: 'error', text: b.zh('；') });
    },
    [onSessionLost],
  );

  // ---- cash sale ----
  const [kind, setKind] = useState<Kind>('self-pay');
  const [patient, setPatient] = useState('');
  const [person, setPerson] = useState({ name: '', psnNo: '', certno: '', insuredRegion: '', insurance: 'resident' as 'resident' | 'employee' });
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [lines, setLines] = useState([{ code: '', quantity: '1' }]);
  const [reason, setReason] = useState('');
  const [requestId, setRequestId] = useState(newId);
  const [last, setLast] = useState<Cash | null>(null);

  const submitCash = async () => {
    setMessage(null);
    try {
      const filled = lines.filter((l) => l.code.trim());
      const out = await api.cashSale({
        session: session.session,
        requestId,
        kind,
        ...(kind === 'self-pay' && patient.trim() ? { patient: patient.trim() } : { person: { name: person.name, ...(kind === 'out-of-area' && person.psnNo ? { psnNo: person.psnNo } : {}), ...(person.certno ? { certno: person.certno } : {}), ...(person.insuredRegion ? { insuredRegion: person.insuredRegion } : {}), insurance: person.insurance, conditions } }),
        lines: filled.map((l) => ({ code: l.code.trim(), quantity: l.quantity.trim() })),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setLast(out);
      setRequestId(newId());
      setMessage({
        kind: 'ok',
        text:
          out.settledBy === 'platform'
            ? `已提交${out.kindZh}：票据号 ${out.receiptNo}，费用合计 ¥${out.total}，基金支付以医保平台结算结果为准`
            : `已记录${out.kindZh}：票据号 ${out.receiptNo}，个人支付 ¥${out.total}`,
      });
      try {
        await window.counterShell!.print({ html: out.html, widthMm: out.pageSize.widthMm, heightMm: out.pageSize.heightMm, printer: '' });
      } catch (e) {
        setMessage({ kind: 'error', text: `已记录（票据号 ${out.receiptNo}），但打印失败：${asBridgeError(e).messageZh}` });
      }
    } catch (e) {
      fail(e);
    }
  };

  // ---- not on the roster ----
  const [certno, setCertno] = useState('');
  const [offer, setOffer] = useState<Offer | null>(null);
  const [candName, setCandName] = useState('');
  const [candConditions, setCandConditions] = useState<Condition[]>([]);
  const [candidates, setCandidates] = useState<Candidates | null>(null);
  const [filing, setFiling] = useState<FilingTarget | null>(null);

  const loadCandidates = useCallback(() => api.candidates({ session: session.session }).then(setCandidates, fail), [api, session, fail]);
  const check = async () => {
    setMessage(null);
    try {
      setOffer(await api.filingOffer({ certno: certno.trim() }));
    } catch (e) {
      fail(e);
    }
  };
  const addCandidate = async () => {
    setMessage(null);
    try {
      const c = await api.addCandidate({ session: session.session, certno: certno.trim(), name: candName.trim(), conditions: candConditions });
      setMessage({ kind: 'ok', text: `已登记为待认定人员：${c.nameMasked}（${c.conditionsZh}）` });
      void loadCandidates();
    } catch (e) {
      fail(e);
    }
  };

  // ---- stock ----
  const [stock, setStock] = useState<Stock | null>(null);
  useEffect(() => {
    api.stockCompliance({ session: session.session }).then(setStock, fail);
    void loadCandidates();
  }, [api, session, fail, loadCandidates]);

  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  return (
    <div className="page uncovered" data-testid="uncovered-page">
      {message && (
        <div className={`message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="uncovered-message">
          {message.text}
        </div>
      )}
      <section className="card" data-testid="cash-sale">
        <h3>自费 / 异地就医购药</h3>
        <div className="muted small">两病待遇不报销的药品可按自费结算；外地参保患者（异地）本地两病政策不适用：本地区医保平台可直接结算的，经平台按参保地政策结算；否则由患者全额垫付，打印垫付凭证回参保地报销。</div>
        <div className="row">
          <label>
            类型
            <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="cash-kind">
              <option value="self-pay">自费</option>
              <option value="out-of-area">异地就医</option>
            </select>
          </label>
          {kind === 'self-pay' && (
            <label>
              名单患者（可扫码，选填）
              <input value={patient} onChange={(e) => setPatient(e.target.value)} placeholder="医保码、社保卡或身份证号" data-testid="cash-patient" />
            </label>
          )}
        </div>
        {(kind === 'out-of-area' || !patient.trim()) && (
          <div className="row">
            <label>
              姓名
              <input value={person.name} onChange={(e) => setPerson({ ...person, name: e.target.value })} data-testid="cash-name" />
            </label>
            <label>
              身份证号{kind === 'out-of-area' ? '（必填）' : ''}
              <input value={person.certno} onChange={(e) => setPerson({ ...person, certno: e.target.value.trim() })} data-testid="cash-certno" />
            </label>
            {kind === 'out-of-area' && (
              <>
                <label>
                  人员编号（平台直接结算时必填）
                  <input value={person.psnNo} onChange={(e) => setPerson({ ...person, psnNo: e.target.value.trim() })} data-testid="cash-psn" />
                </label>
                <label>
                  参保地区划（6 位）
                  <input value={person.insuredRegion} inputMode="numeric" onChange={(e) => setPerson({ ...person, insuredRegion: e.target.value.trim() })} data-testid="cash-region" />
                </label>
                <label>
                  险种
                  <select value={person.insurance} onChange={(e) => setPerson({ ...person, insurance: e.target.value as 'resident' | 'employee' })}>
                    <option value="resident">城乡居民医保</option>
                    <option value="employee">职工医保</option>
                  </select>
                </label>
                {(['hypertension', 'diabetes'] as const).map((c) => (
                  <label key={c} className="check">
                    <input type="checkbox" checked={conditions.includes(c)} onChange={(e) => setConditions((cs) => (e.target.checked ? [...cs.filter((x) => x !== c), c] : cs.filter((x) => x !== c)))} data-testid={`cash-${c}`} /> {ZH[c]}
                  </label>
                ))}
              </>
            )}
          </div>
        )}
        {lines.map((l, i) => (
          <div className="row" key={i}>
            <input value={l.code} placeholder="药品编码、自编码或条码" onChange={(e) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, code: e.target.value } : x)))} data-testid={`cash-code-${i}`} />
            <input className="qty" value={l.quantity} inputMode="decimal" aria-label="数量" onChange={(e) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, quantity: e.target.value } : x)))} data-testid={`cash-qty-${i}`} />
          </div>
        ))}
        <div className="row">
          <button className="ghost" onClick={() => setLines((ls) => [...ls, { code: '', quantity: '1' }])}>
            添加一行
          </button>
          {kind === 'self-pay' && <input value={reason} placeholder="自费原因（选填）" onChange={(e) => setReason(e.target.value)} />}
          <button className="primary" onClick={() => void submitCash()} data-testid="cash-confirm">
            {kind === 'self-pay' ? '自费结算并打印' : '异地结算并打印凭证'}
          </button>
        </div>
        {last && (
          <div className="muted" data-testid="cash-last">
            上一笔：{last.kindZh} {last.receiptNo}，{last.nameMasked}，¥{last.total}
          </div>
        )}
      </section>

      <section className="card" data-testid="unflagged">
        <h3>未在两病名单中的购药人员</h3>
        <div className="row">
          <input value={certno} placeholder="身份证号" onChange={(e) => setCertno(e.target.value.trim())} data-testid="offer-certno" />
          <button onClick={() => void check()} data-testid="offer-check">
            查询
          </button>
        </div>
        {offer && (
          <div className={offer.fileHere ? 'message ok' : 'warn'} data-testid="offer-advice">
            {offer.adviceZh}
          </div>
        )}
        {offer && offer.fileHere && (
          <button className="primary" onClick={() => setFiling({ kind: 'new', certno, date: today, conditions: [] })} data-testid="offer-file">
            一站式办理两病备案…
          </button>
        )}
        {offer && !offer.onRoster && !offer.fileHere && (
          <div className="row">
            <input value={candName} placeholder="姓名" onChange={(e) => setCandName(e.target.value)} data-testid="cand-name" />
            {(['hypertension', 'diabetes'] as const).map((c) => (
              <label key={c} className="check">
                <input type="checkbox" checked={candConditions.includes(c)} onChange={(e) => setCandConditions((cs) => (e.target.checked ? [...cs.filter((x) => x !== c), c] : cs.filter((x) => x !== c)))} data-testid={`cand-${c}`} /> {ZH[c]}
              </label>
            ))}
            <button onClick={() => void addCandidate()} data-testid="cand-add">
              登记为待认定人员
            </button>
          </div>
        )}
        <h4>待认定人员名单（{candidates?.items.length ?? 0} 人）</h4>
        <table className="list" data-testid="cand-list">
          <thead>
            <tr>
              <th>姓名</th>
              <th>身份证号</th>
              <th>病种</th>
              <th>首次登记</th>
              <th>最近登记</th>
            </tr>
          </thead>
          <tbody>
            {candidates?.items.map((c) => (
              <tr key={`${c.certnoMasked}-${c.firstSeen}`}>
                <td>{c.nameMasked}</td>
                <td>{c.certnoMasked}</td>
                <td>{c.conditionsZh}</td>
                <td>{c.firstSeen}</td>
                <td>{c.lastSeen}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button disabled={!candidates || candidates.items.length === 0} onClick={() => candidates && saveFile(candidates.filename, candidates.csv, 'text/csv;charset=utf-8')} data-testid="cand-export">
          导出名单（CSV，个人信息已脱敏）
        </button>
      </section>

      <section className="card" data-testid="stock">
        <h3>两病药品配备情况</h3>
        {stock && (
          <>
            <div>
              {stock.institution.name}：{stock.kindZh}
            </div>
            <div data-testid="stock-vbp">
              集采中选两病药品 {stock.vbpDrugs.length} 种{stock.vbpMinimum !== null ? `（要求不少于 ${stock.vbpMinimum} 种）` : ''}
            </div>
            <div>
              降压药 {stock.classes.hypertension.length} 大类：{stock.classes.hypertension.join('、') || '无'}
            </div>
            <div>
              降糖药 {stock.classes.diabetes.length} 大类：{stock.classes.diabetes.join('、') || '无'}
            </div>
            <div className={stock.meets ? 'message ok' : 'message error'} data-testid="stock-verdict">
              {stock.meets ? '符合配备要求' : `未达到配备要求：${stock.shortfallsZh.join('；')}`}
            </div>
          </>
        )}
      </section>

      {filing && (
        <FilingDialog
          target={filing}
          session={session}
          onCancel={() => setFiling(null)}
          onSessionLost={onSessionLost}
          onDone={(out) => {
            setFiling(null);
            setOffer(null);
            setMessage({ kind: 'ok', text: `${out.summaryZh}（${out.conditionsZh}）` });
          }}
        />
      )}
    </div>
  );
}
