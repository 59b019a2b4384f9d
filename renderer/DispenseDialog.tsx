// What was dispensed on one line: the 药品追溯码 of each box (scanned one after another, Enter
// after each), the batch number and expiry, and the 用法用量 the continuous prescription prints.
// The shape and the sale's own duplicates are checked here as they are scanned; a code sold
// before is refused by the service when the sale is priced. Enter in the code field adds the
// code; Ctrl+Enter saves; Esc cancels.
import { useEffect, useRef, useState } from 'react';
import { Modal, ModalActions } from './Modal.tsx';

export interface Dispensed {
  traceCodes: string[];
  batch: string;
  expiry: string;
  dose: string;
  frequency: string;
  route: string;
}

export const NO_DISPENSED: Dispensed = { traceCodes: [], batch: '', expiry: '', dose: '', frequency: '', route: '' };

const TRACE = /^\d{20}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The line's facts as the sale sends them (only what was filled in). */
export function dispensedFields(d: Dispensed) {
  const usage = d.dose.trim() && d.frequency.trim() && d.route.trim() ? { usage: { dose: d.dose.trim(), frequency: d.frequency.trim(), route: d.route.trim() } } : {};
  return {
    ...(d.traceCodes.length > 0 ? { traceCodes: d.traceCodes } : {}),
    ...(d.batch.trim() ? { batch: d.batch.trim() } : {}),
    ...(DATE.test(d.expiry) ? { expiry: d.expiry } : {}),
    ...usage,
  };
}

export function DispenseDialog({
  drug,
  boxes,
  value,
  otherCodes,
  onSave,
  onCancel,
}: {
  drug: string;
  /** Whole packages on the line: at most this many codes. */
  boxes: number;
  value: Dispensed;
  /** Codes already scanned on the sale's other lines. */
  otherCodes: ReadonlySet<string>;
  onSave: (d: Dispensed) => void;
  onCancel: () => void;
}) {
  const [d, setD] = useState<Dispensed>(value);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => codeRef.current?.focus(), []);

  const addCode = () => {
    const c = code.trim();
    setCode('');
    if (!c) return;
    if (!TRACE.test(c)) return setError(`“${c}”不是药品追溯码：追溯码为 20 位数字，请扫描药盒上的追溯码条码`);
    if (d.traceCodes.includes(c) || otherCodes.has(c)) return setError(`追溯码 ${c} 已扫描过，每盒药只扫一次`);
    if (d.traceCodes.length >= boxes) return setError(`本行数量为 ${boxes} 盒，追溯码已扫满`);
    setError(null);
    setD({ ...d, traceCodes: [...d.traceCodes, c] });
  };

  return (
    <Modal title={<>{drug}：追溯码、批号与用法</>} testId="dispense-dialog" onCancel={onCancel} onSubmit={() => onSave(d)} submitKey="ctrl-enter">
      <label>
        药品追溯码（已扫 {d.traceCodes.length} / {boxes} 盒，逐盒扫描后回车）
        <input
          ref={codeRef}
          value={code}
          inputMode="numeric"
          autoComplete="off"
          onChange={(e) => setCode(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.ctrlKey) {
              e.preventDefault();
              e.stopPropagation();
              addCode();
            }
          }}
          placeholder="扫描药盒上的 20 位追溯码"
          data-testid="trace-input"
        />
      </label>
      {d.traceCodes.length > 0 && (
        <ul className="traceList" data-testid="trace-list">
          {d.traceCodes.map((c) => (
            <li key={c} className="mono">
              {c}{' '}
              <button className="ghost" aria-label={`删除追溯码 ${c}`} onClick={() => setD({ ...d, traceCodes: d.traceCodes.filter((x) => x !== c) })}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <label>
          生产批号
          <input value={d.batch} maxLength={30} onChange={(e) => setD({ ...d, batch: e.target.value })} data-testid="batch-input" />
        </label>
        <label>
          有效期至
          <input type="date" value={d.expiry} onChange={(e) => setD({ ...d, expiry: e.target.value })} data-testid="expiry-input" />
        </label>
      </div>
      <div className="row">
        <label>
          每次用量
          <input value={d.dose} maxLength={40} placeholder="如 5mg" onChange={(e) => setD({ ...d, dose: e.target.value })} data-testid="usage-dose" />
        </label>
        <label>
          频次
          <input value={d.frequency} maxLength={40} placeholder="如 每日一次" onChange={(e) => setD({ ...d, frequency: e.target.value })} data-testid="usage-frequency" />
        </label>
        <label>
          用法
          <input value={d.route} maxLength={40} placeholder="如 口服" onChange={(e) => setD({ ...d, route: e.target.value })} data-testid="usage-route" />
        </label>
      </div>
      <ModalActions error={error} errorTestId="dispense-error" confirmLabel="保存" confirmKey="Ctrl+Enter" confirmTestId="dispense-save" onConfirm={() => onSave(d)} onCancel={onCancel} />
    </Modal>
  );
}
