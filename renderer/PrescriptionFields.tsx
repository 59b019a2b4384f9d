// The 慢性病连续处方 at the counter (seed 003 附件3): who prescribed (for a pharmacy the
// prescribing institution and its level), the doctor, the diagnosis, the patient's address and
// phone, the 复核药师, and the patient's consent. The service refuses to settle a continuous
// prescription without the doctor or the consent; the screen says so before F12 is pressed.
export interface RxState {
  on: boolean;
  doctor: string;
  doctorCode: string;
  diagnosis: string;
  consent: boolean;
  instCode: string;
  instName: string;
  instLevel: string;
  address: string;
  phone: string;
  reviewer: string;
}

export const NO_RX: RxState = { on: false, doctor: '', doctorCode: '', diagnosis: '', consent: false, instCode: '', instName: '', instLevel: '1', address: '', phone: '', reviewer: '' };

/** What is still missing before a continuous prescription may settle (empty: complete). */
export function rxMissing(rx: RxState): string[] {
  if (!rx.on) return [];
  return [...(rx.doctor.trim() ? [] : ['处方医生']), ...(rx.consent ? [] : ['患者知情同意'])];
}

export function PrescriptionFields({ rx, setRx, pharmacy }: { rx: RxState; setRx: (r: RxState) => void; pharmacy: boolean }) {
  const missing = rxMissing(rx);
  return (
    <div className="rxbox">
      <label className="check">
        <input type="checkbox" checked={rx.on} onChange={(e) => setRx({ ...rx, on: e.target.checked })} data-testid="rx-on" /> 开具慢性病连续处方
        {rx.on && <span className="muted small">（各药用法用量在该行“追溯”中填写；结算后 <kbd>Ctrl+P</kbd> 打印）</span>}
      </label>
      {rx.on && (
        <>
          {pharmacy && (
            <>
              <input placeholder="处方医疗机构名称" value={rx.instName} onChange={(e) => setRx({ ...rx, instName: e.target.value })} data-testid="rx-inst-name" />
              <input placeholder="处方医疗机构编码" value={rx.instCode} onChange={(e) => setRx({ ...rx, instCode: e.target.value })} data-testid="rx-inst-code" />
              <select value={rx.instLevel} onChange={(e) => setRx({ ...rx, instLevel: e.target.value })} data-testid="rx-inst-level">
                <option value="1">一级</option>
                <option value="2">二级</option>
                <option value="3">三级</option>
              </select>
            </>
          )}
          <input placeholder="医生（必填）" value={rx.doctor} onChange={(e) => setRx({ ...rx, doctor: e.target.value })} data-testid="rx-doctor" />
          <input placeholder="医师编码" value={rx.doctorCode} onChange={(e) => setRx({ ...rx, doctorCode: e.target.value })} data-testid="rx-doctor-code" />
          <input placeholder="临床诊断" value={rx.diagnosis} onChange={(e) => setRx({ ...rx, diagnosis: e.target.value })} data-testid="rx-diagnosis" />
          <label className="check consent">
            <input type="checkbox" checked={rx.consent} onChange={(e) => setRx({ ...rx, consent: e.target.checked })} data-testid="rx-consent" /> 患者已知情并申请
          </label>
          <input placeholder="地址" value={rx.address} maxLength={100} onChange={(e) => setRx({ ...rx, address: e.target.value })} data-testid="rx-address" />
          <input placeholder="电话" value={rx.phone} maxLength={20} inputMode="tel" onChange={(e) => setRx({ ...rx, phone: e.target.value })} data-testid="rx-phone" />
          <input placeholder="复核药师" value={rx.reviewer} maxLength={40} onChange={(e) => setRx({ ...rx, reviewer: e.target.value })} data-testid="rx-reviewer" />
          {/* What is missing sits beside the fields (its own cell), so the box stays three rows high. */}
          <div className={missing.length > 0 ? 'warn missing' : 'missing'} data-testid={missing.length > 0 ? 'rx-missing' : undefined}>
            {missing.length > 0 ? `结算前请填写：${missing.join('、')}` : ''}
          </div>
        </>
      )}
    </div>
  );
}
