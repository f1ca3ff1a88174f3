"use client";

import {
  ENDABLE_SESSION_STATUSES,
  isSessionStatusIn,
  OPEN_SESSION_STATUSES,
  ZAdminSession,
  type TSessionStatus,
} from "@kubelab/shared";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiRequest, apiRequestNoContent } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

const EXTEND_MINUTES = 30;

/** End and Extend of one row of /admin/sessions; the server re-renders the table after each. */
export function AdminSessionActions(props: { sessionId: string; status: TSessionStatus; ownerName: string }) {
  const { dict } = useI18n();
  const t = dict.adminSessions;
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(action: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await action();
      router.refresh();
    } catch (caught) {
      setError(formatMessage(t.actionFailed, { message: apiErrorText(caught, dict) }));
    } finally {
      setBusy(false);
    }
  }

  const path = `/api/admin/sessions/${props.sessionId}` as const;
  return (
    <div className="admin-actions">
      {isSessionStatusIn(OPEN_SESSION_STATUSES, props.status) ? (
        <button
          type="button"
          className="button button-small"
          disabled={busy}
          data-testid="admin-session-extend"
          onClick={() =>
            void run(() => apiRequest("POST", `${path}/extend`, ZAdminSession, { body: { minutes: EXTEND_MINUTES } }))
          }
        >
          {formatMessage(t.extend, { minutes: EXTEND_MINUTES })}
        </button>
      ) : null}
      {isSessionStatusIn(ENDABLE_SESSION_STATUSES, props.status) ? (
        <button
          type="button"
          className="button button-small button-danger"
          disabled={busy}
          data-testid="admin-session-end"
          onClick={() => {
            // Ending removes the attendee's nodes at once; a stray click must not do that.
            if (!window.confirm(formatMessage(t.endConfirm, { name: props.ownerName }))) return;
            void run(() => apiRequestNoContent("POST", `${path}/end`));
          }}
        >
          {t.end}
        </button>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
