"use client";

import {
  ENDABLE_SESSION_STATUSES,
  isSessionStatusIn,
  OPEN_SESSION_STATUSES,
  ZAdminSession,
  type TSessionStatus,
} from "@kubelab/shared";
import { useCallback } from "react";
import { apiRequest, apiRequestNoContent } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useRefreshingAction } from "@/lib/ui/use-refreshing-action";

const EXTEND_MINUTES = 30;

/** End and Extend of one row of /admin/sessions; the server re-renders the table after each. */
export function AdminSessionActions(props: { sessionId: string; status: TSessionStatus; ownerName: string }) {
  const { dict } = useI18n();
  const t = dict.adminSessions;
  const describe = useCallback((message: string) => formatMessage(t.actionFailed, { message }), [t]);
  const { busy, error, run } = useRefreshingAction(describe);

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
