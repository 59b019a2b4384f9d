// 收款: 应收 (the patient's share), the method, 实收 and 找零, or a mixed payment (one non-cash
// part, the rest in cash). The parent settles with paymentFromDraft's payment.
import type { PaymentMethod } from '../core/contract/payment.ts';
import { PAYMENT_METHOD_ZH } from '../core/contract/payment.ts';
import { paymentFromDraft, type PaymentDraft } from './paymentDraft.ts';

export function PaymentPanel({ due, methods, draft, onChange }: { due: string | null; methods: readonly PaymentMethod[]; draft: PaymentDraft; onChange: (d: PaymentDraft) => void }) {
  const r = due === null ? null : paymentFromDraft(draft, due);
  const nonCash = methods.filter((m): m is Exclude<PaymentMethod, 'cash'> => m !== 'cash');
  return (
    <div className="payment" data-testid="payment">
      <div className="row">
        <span>应收</span>
        <b data-testid="pay-due">{due === null ? '—' : `¥${due}`}</b>
      </div>
      <div className="row methods" role="radiogroup" aria-label="支付方式">
        {methods.map((m) => (
          <label key={m} className="check">
            <input type="radio" name="pay-method" checked={!draft.mixed && draft.method === m} onChange={() => onChange({ ...draft, mixed: false, method: m })} data-testid={`pay-${m}`} />
            {PAYMENT_METHOD_ZH[m]}
          </label>
        ))}
        <label className="check">
          <input type="checkbox" checked={draft.mixed} onChange={(e) => onChange({ ...draft, mixed: e.target.checked })} data-testid="pay-mixed" />
          组合支付
        </label>
      </div>
      {draft.mixed && (
        <div className="row">
          <select value={draft.otherMethod} onChange={(e) => onChange({ ...draft, otherMethod: e.target.value as PaymentDraft['otherMethod'] })} data-testid="pay-other-method">
            {nonCash.map((m) => (
              <option key={m} value={m}>
                {PAYMENT_METHOD_ZH[m]}
              </option>
            ))}
          </select>
          <input inputMode="decimal" placeholder="金额" value={draft.otherAmount} onChange={(e) => onChange({ ...draft, otherAmount: e.target.value.trim() })} data-testid="pay-other-amount" />
        </div>
      )}
      {(draft.mixed || draft.method === 'cash') && (
        <div className="row">
          <span>{draft.mixed ? '现金实收' : '实收'}</span>
          <input inputMode="decimal" placeholder="不填即按应收" value={draft.tendered} onChange={(e) => onChange({ ...draft, tendered: e.target.value.trim() })} data-testid="pay-tendered" />
        </div>
      )}
      <div className="row">
        <span>找零</span>
        <b data-testid="pay-change">{r && r.ok ? `¥${r.change}` : '—'}</b>
      </div>
      {r && !r.ok && (
        <div className="msg error" data-testid="pay-error">
          {r.errorZh}
        </div>
      )}
    </div>
  );
}
