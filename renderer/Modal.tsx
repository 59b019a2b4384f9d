// The one dialog frame of the counter: a dimmed backdrop, a card that owns the keyboard, a
// heading that names it. Esc cancels; the submit key is the dialog's own: Enter in a field
// (not on a select or a button, which Enter works itself), Ctrl+Enter where Enter is taken by
// scanning, or Enter anywhere for a yes/no question.
import type { ReactNode } from 'react';

export type SubmitKey = 'enter-in-field' | 'ctrl-enter' | 'enter';

export function Modal({
  title,
  testId,
  onCancel,
  onSubmit,
  submitKey = 'enter-in-field',
  alert = false,
  children,
}: {
  title: ReactNode;
  testId: string;
  onCancel: () => void;
  onSubmit?: () => void;
  submitKey?: SubmitKey;
  /** A question that needs an answer (role alertdialog) rather than a form. */
  alert?: boolean;
  children: ReactNode;
}) {
  const titleId = `${testId}-title`;
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
      return;
    }
    if (e.key !== 'Enter' || !onSubmit) return;
    if (submitKey === 'ctrl-enter' && e.ctrlKey) {
      e.preventDefault();
      e.stopPropagation();
      onSubmit();
    } else if (submitKey === 'enter') {
      e.preventDefault();
      e.stopPropagation();
      onSubmit();
    } else if (submitKey === 'enter-in-field' && !(e.target instanceof HTMLSelectElement) && !(e.target instanceof HTMLButtonElement)) {
      e.preventDefault();
      onSubmit();
    }
  };
  return (
    <div className="modalBack" onKeyDown={onKey}>
      <div className="modal card" role={alert ? 'alertdialog' : 'dialog'} aria-modal="true" aria-labelledby={titleId} data-testid={testId}>
        <h3 id={titleId}>{title}</h3>
        {children}
      </div>
    </div>
  );
}

/** A form dialog's foot: its error (if any), the confirm button with its key, and 取消 (Esc). */
export function ModalActions({
  error,
  errorTestId,
  confirmLabel,
  confirmKey,
  confirmTestId,
  onConfirm,
  onCancel,
  busy = false,
}: {
  error: string | null;
  errorTestId: string;
  confirmLabel: string;
  confirmKey: string;
  confirmTestId: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  return (
    <>
      {error && (
        <div className="message error" role="alert" data-testid={errorTestId}>
          {error}
        </div>
      )}
      <div className="actions">
        <button className="primary" disabled={busy} onClick={onConfirm} data-testid={confirmTestId}>
          {confirmLabel} <kbd>{confirmKey}</kbd>
        </button>
        <button className="ghost" onClick={onCancel}>
          取消 <kbd>Esc</kbd>
        </button>
      </div>
    </>
  );
}
