// 挂单/取单: the sales put aside (kept in the database, so they survive a restart). F5 holds the
// sale on screen; 取单 takes one back (it leaves the list at once, so it cannot be taken twice).
import type { MethodOutput } from '../core/service/contract.ts';

type Held = MethodOutput<'heldSales'>['items'][number];

export function HeldSales({ items, onRecall }: { items: Held[]; onRecall: (id: string) => void }) {
  if (items.length === 0) return null;
  return (
    <div className="held" data-testid="held-sales">
      <div className="label">挂单 {items.length} 笔</div>
      <ul>
        {items.map((h) => (
          <li key={h.id}>
            <span>{h.label}</span>
            <small>{h.heldAt.slice(11, 16)}</small>
            <button onClick={() => onRecall(h.id)} data-testid="recall">
              取单
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
