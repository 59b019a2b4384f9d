// Esc on a sale in progress asks first: Enter discards (the sale can be restored once), Esc keeps it.
import { useEffect, useRef } from 'react';

export function DiscardDialog({ lines, patient, onDiscard, onKeep }: { lines: number; patient: string | null; onDiscard: () => void; onKeep: () => void }) {
  const discardRef = useRef<HTMLButtonElement>(null);
  useEffect(() => discardRef.current?.focus(), []);
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onKeep();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      onDiscard();
    }
  };
  return (
    <div className="modalBack" onKeyDown={onKey}>
      <div className="modal card" role="alertdialog" aria-modal="true" aria-labelledby="discard-title" data-testid="discard-dialog">
        <h3 id="discard-title">放弃本单？</h3>
        <div>
          将清除{patient ? `患者 ${patient} 和` : ''} {lines} 个药品。放弃后可点“恢复上一单”找回一次。
        </div>
        <div className="actions">
          <button ref={discardRef} className="primary" onClick={onDiscard} data-testid="discard-confirm">
            放弃本单 <kbd>Enter</kbd>
          </button>
          <button className="ghost" onClick={onKeep} data-testid="discard-keep">
            继续本单 <kbd>Esc</kbd>
          </button>
        </div>
      </div>
    </div>
  );
}
