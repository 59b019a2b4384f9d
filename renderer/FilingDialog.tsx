// Filing at the counter from the sale screen: adding a condition (新增病种) when a drug is for a
// condition the patient is not filed for, or the one-stop filing of a patient not yet on the
// roster. The diagnosing doctor is named; for hypertension the grade and risk group may be given
// (they decide the management class where the region has classes). Enter files, Esc cancels.
import { useEffect, useRef, useState } from 'react';
import type { MethodInput, MethodOutput } from '../core/service/contract.ts';
import { asBridgeError } from './bridge.ts';
import type { Session } from './App.tsx';
import { Modal, ModalActions } from './Modal.tsx';

type Condition = 'hypertension' | 'diabetes';
const ZH: Record<Condition, string> = { hypertension: '高血压', diabetes: '糖尿病' };

export type FilingTarget =
  | { kind: 'add'; psnNo: string; current: Condition[]; add: Condition; date: string; drug: string }
  | { kind: 'new'; certno: string; date: string; conditions: Condition[] };

export function FilingDialog({ target, session, onDone, onCancel, onSessionLost }: { target: FilingTarget; session: Session; onDone: (out: MethodOutput<'file'>) => void; onCancel: () => void; onSessionLost: () => void }) {
  const api = window.counter!;
  const [doctor, setDoctor] = useState('');
  const [doctorCode, setDoctorCode] = useState('');
  const [grade, setGrade] = useState('');
  const [risk, setRisk] = useState('');
  const [name, setName] = useState('');
  const [psnNo, setPsnNo] = useState('');
  const [insurance, setInsurance] = useState<'resident' | 'employee'>('resident');
  const [conditions, setConditions] = useState<Condition[]>(target.kind === 'new' ? target.conditions : []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const after: Condition[] = target.kind === 'add' ? [...target.current, target.add] : conditions;
  const hypertension = after.includes('hypertension');
  const detail = hypertension && (grade || risk) ? { diagnosisDetail: { hypertensionGrade: grade ? (Number(grade) as 1 | 2 | 3) : null, riskGroup: risk ? (risk as 'low' | 'medium' | 'high' | 'very-high') : null } } : {};

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const doc = { name: doctor.trim(), code: doctorCode.trim() || null };
    const request: MethodInput<'file'>['request'] =
      target.kind === 'add'
        ? { kind: 'change', psnNo: target.psnNo, date: target.date, doctor: doc, reason: 'new-disease', conditions: after, ...detail }
        : { kind: 'new', psnNo: psnNo.trim(), date: target.date, doctor: doc, conditions: after, person: { name: name.trim(), certno: target.certno, insurance }, ...detail };
    try {
      onDone(await api.file({ session: session.session, request }));
    } catch (e) {
      const b = asBridgeError(e);
      if (b.code === 'SESSION_EXPIRED') onSessionLost();
      setError(b.zh());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={target.kind === 'add' ? `新增病种备案：${ZH[target.add]}` : '两病备案（一站式办理）'} testId="filing-dialog" onCancel={onCancel} onSubmit={() => void submit()}>
      {target.kind === 'add' ? (
        <div className="warn">
          {target.drug}用于治疗{ZH[target.add]}。经医生确诊后办理新增病种备案，备案后本项即可按两病待遇报销。
        </div>
      ) : (
        <>
          <label>
            人员编号（医保）
            <input ref={first} value={psnNo} onChange={(e) => setPsnNo(e.target.value)} data-testid="filing-psn" />
          </label>
          <label>
            姓名
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="filing-name" />
          </label>
          <label>
            险种
            <select value={insurance} onChange={(e) => setInsurance(e.target.value as 'resident' | 'employee')}>
              <option value="resident">城乡居民医保</option>
              <option value="employee">职工医保</option>
            </select>
          </label>
          <fieldset className="authorizer">
            <legend>确诊病种</legend>
            {(['hypertension', 'diabetes'] as const).map((c) => (
              <label key={c} className="check">
                <input type="checkbox" checked={conditions.includes(c)} onChange={(e) => setConditions((cs) => (e.target.checked ? [...cs.filter((x) => x !== c), c] : cs.filter((x) => x !== c)))} data-testid={`filing-${c}`} /> {ZH[c]}
              </label>
            ))}
          </fieldset>
        </>
      )}
      <label>
        诊断医生（必填）
        <input ref={target.kind === 'add' ? first : undefined} value={doctor} maxLength={50} onChange={(e) => setDoctor(e.target.value)} data-testid="filing-doctor" />
      </label>
      <label>
        医生国家编码（选填）
        <input value={doctorCode} maxLength={30} onChange={(e) => setDoctorCode(e.target.value)} />
      </label>
      {hypertension && (
        <fieldset className="authorizer">
          <legend>高血压分级与危险分层（选填，用于确定管理类别）</legend>
          <select value={grade} onChange={(e) => setGrade(e.target.value)} aria-label="高血压分级" data-testid="filing-grade">
            <option value="">分级未填</option>
            <option value="1">一级</option>
            <option value="2">二级</option>
            <option value="3">三级</option>
          </select>
          <select value={risk} onChange={(e) => setRisk(e.target.value)} aria-label="危险分层" data-testid="filing-risk">
            <option value="">分层未填</option>
            <option value="low">低危</option>
            <option value="medium">中危</option>
            <option value="high">高危</option>
            <option value="very-high">很高危</option>
          </select>
        </fieldset>
      )}
      <ModalActions error={error} errorTestId="filing-error" confirmLabel="办理备案" confirmKey="Enter" confirmTestId="filing-confirm" onConfirm={() => void submit()} onCancel={onCancel} busy={busy} />
    </Modal>
  );
}
