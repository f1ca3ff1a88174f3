"use client";

import { useModalDialog } from "@/components/ui/use-modal-dialog";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface RunBusyDialogProps {
  /** The node and what runs in its foreground (command null: unknown). Rendered only while asking. */
  busy: { node: string; command: string | null };
  onInterrupt: () => void;
  onRunAnyway: () => void;
  onCancel: () => void;
}

/** "kubectl get pods -w is still running in node1": what to do before typing a lesson command into it. */
export function RunBusyDialog({ busy, onInterrupt, onRunAnyway, onCancel }: RunBusyDialogProps) {
  const { dict } = useI18n();
  const ref = useModalDialog(true);

  const title = busy.command
    ? formatMessage(dict.lesson.busyTitle, { command: busy.command, node: busy.node })
    : formatMessage(dict.lesson.busyTitleUnknown, { node: busy.node });
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="run-busy-title"
      aria-describedby="run-busy-body"
      onClose={onCancel}
      data-testid="run-busy-dialog"
    >
      <h2 id="run-busy-title">{title}</h2>
      <p id="run-busy-body">{dict.lesson.busyBody}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel} data-testid="run-busy-cancel">
          {dict.common.cancel}
        </button>
        <button type="button" className="button" onClick={onRunAnyway} data-testid="run-busy-anyway">
          {dict.lesson.runAnyway}
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={onInterrupt}
          autoFocus
          data-testid="run-busy-interrupt"
        >
          {dict.lesson.interruptAndRun}
        </button>
      </div>
    </dialog>
  );
}
