// Esc on a sale in progress asks first: Enter discards (the sale can be restored once), Esc keeps it.
import { useEffect, useRef } from 'react';
import { Modal } from './Modal.tsx';

export function DiscardDialog({ lines, patient, onDiscard, onKeep }: { lines: number; patient: string | null; onDiscard: () => void; onKeep: () => void }) {
  const discardRef = useRef<HTMLButtonElement>(null);
  useEffect(() => discardRef.current?.focus(), []);
  return (
    <Modal title="放弃本单？" testId="discard-dialog" onCancel={onKeep} onSubmit={onDiscard} submitKey="enter" alert>
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
    </Modal>
  );
}
