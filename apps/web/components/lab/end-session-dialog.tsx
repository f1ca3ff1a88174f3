"use client";

import { useModalDialog } from "@/components/ui/use-modal-dialog";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface EndSessionDialogProps {
  open: boolean;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * Native modal <dialog>: the browser keeps focus inside it, makes the page
 * behind it inert, closes it on Escape and returns focus to the opener.
 */
export function EndSessionDialog({ open, busy, onConfirm, onCancel }: EndSessionDialogProps) {
  const { dict } = useI18n();
  const ref = useModalDialog(open);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="end-session-title"
      aria-describedby="end-session-body"
      onClose={onCancel}
      // While the session is being deleted, Escape must not hide the progress.
      onCancel={(event) => {
        if (busy) event.preventDefault();
      }}
      data-testid="end-session-dialog"
    >
      <h2 id="end-session-title">{dict.session.endTitle}</h2>
      <p id="end-session-body">{dict.session.endBody}</p>
      <div className="dialog-actions">
        {/* First in order: Escape or Enter on the initial focus never destroys anything. */}
        <button type="button" className="button" onClick={onCancel} autoFocus disabled={busy}>
          {dict.common.cancel}
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={onConfirm}
          disabled={busy}
          data-testid="end-session-confirm"
        >
          {busy ? dict.session.ending : dict.session.endConfirm}
        </button>
      </div>
    </dialog>
  );
}
