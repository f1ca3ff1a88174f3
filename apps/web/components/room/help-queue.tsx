"use client";

import { ZRoomHelpRequest, type TRoomHelpRequest } from "@kubelab/shared";
import { useState } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { apiRequest, apiRequestNoContent } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { stepLabel } from "@/lib/room/board";
import { helpActionPath, watchPath } from "@/lib/room/room-actions";
import { minutesSince } from "@/lib/room/roster";
import { useServerNow } from "@/lib/ui/use-now";
import { useHelpNotice } from "./use-help-notice";

interface HelpQueueProps {
  eventId: string;
  /** The room's open requests, oldest first; null before the first room arrived. */
  help: readonly TRoomHelpRequest[] | null;
  onError: (caught: unknown) => void;
}

/**
 * Raised hands, oldest first. "Help" claims the request ("someone is looking") and opens the
 * attendee's watch page in a new tab; "Done" resolves it. New requests are highlighted and beep.
 */
export function HelpQueue({ eventId, help, onError }: HelpQueueProps) {
  const { dict } = useI18n();
  const t = dict.room;
  const toast = useToast();
  const now = useServerNow(10_000);
  const notice = useHelpNotice(help);
  const [busy, setBusy] = useState<string | null>(null);

  async function claim(request: TRoomHelpRequest): Promise<void> {
    // Opened now, while the click still counts as one (a window opened after an await is blocked).
    const tab = window.open("about:blank", "_blank");
    setBusy(request.id);
    try {
      await apiRequest("POST", helpActionPath(eventId, request.id, "claim"), ZRoomHelpRequest);
      const url = watchPath(eventId, request.sessionId, request.id);
      if (tab) {
        tab.opener = null;
        tab.location.href = url;
      } else {
        window.location.assign(url);
      }
    } catch (caught) {
      tab?.close();
      onError(caught);
    } finally {
      setBusy(null);
    }
  }

  async function resolve(request: TRoomHelpRequest): Promise<void> {
    setBusy(request.id);
    try {
      await apiRequestNoContent("POST", helpActionPath(eventId, request.id, "resolve"));
      toast.show("success", t.helpResolved);
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(null);
    }
  }

  const queue = help ?? [];
  return (
    <section
      className={`room-panel room-help${notice.fresh.size > 0 ? " room-help-alert" : ""}`}
      aria-labelledby="room-help-title"
      data-testid="room-help"
      data-beeps={notice.beeps}
    >
      <div className="room-panel-head">
        <h2 id="room-help-title">
          {t.helpTitle} <span className="badge">{queue.length}</span>
        </h2>
        <button
          type="button"
          className="button-quiet"
          aria-pressed={notice.muted}
          onClick={() => notice.setMuted(!notice.muted)}
          data-testid="room-help-mute"
        >
          {notice.muted ? t.unmute : t.mute}
        </button>
      </div>
      {notice.fresh.size > 0 ? (
        <p className="visually-hidden" role="status">
          {t.helpNew}
        </p>
      ) : null}
      {queue.length === 0 ? (
        <p className="muted">{t.helpEmpty}</p>
      ) : (
        <ol className="room-help-list">
          {queue.map((request) => {
            const waiting = minutesSince(request.createdAt, now) ?? 0;
            return (
              <li
                key={request.id}
                className={notice.fresh.has(request.id) ? "room-help-fresh" : undefined}
                data-testid="room-help-request"
                data-request-id={request.id}
                data-fresh={notice.fresh.has(request.id) ? "true" : "false"}
              >
                <div>
                  <strong>{request.name}</strong>{" "}
                  <span className="muted">
                    {formatMessage(t.helpWaiting, { minutes: String(waiting) })}
                    {request.step !== null ? ` · ${formatMessage(t.helpStep, { step: stepLabel(request.step) })}` : ""}
                  </span>
                  {request.message ? <p className="room-help-message">{request.message}</p> : null}
                  {request.claimedBy ? (
                    <p className="muted" data-testid="room-help-claimed">
                      {formatMessage(t.helpLooking, { name: request.claimedBy })}
                    </p>
                  ) : null}
                </div>
                <div className="room-row-actions">
                  <button
                    type="button"
                    className="button button-small button-primary"
                    disabled={busy === request.id}
                    onClick={() => void claim(request)}
                    data-testid="room-help-claim"
                  >
                    {t.helpClaim}
                  </button>
                  <button
                    type="button"
                    className="button button-small"
                    disabled={busy === request.id}
                    onClick={() => void resolve(request)}
                    data-testid="room-help-resolve"
                  >
                    {t.helpResolve}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
