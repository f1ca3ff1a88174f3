"use client";

import { ZEventBulkResult, ZEventSummary, ZSession, type TEvent, type TEventSummary } from "@kubelab/shared";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { apiRequest, apiRequestNoContent } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { roomActionRequest, type RoomAction } from "@/lib/room/room-actions";
import { BroadcastPanel } from "./broadcast-panel";
import { HelpQueue } from "./help-queue";
import { ProgressBoard } from "./progress-board";
import { RoomRoster } from "./room-roster";
import { useRoomStream } from "./use-room-stream";

/**
 * The instructor's live room of an event: summary and export, everyone's actions, the help queue,
 * the roster, the progress board and broadcasts, all from one Server-Sent Events stream.
 */
export function RoomPage({ event }: { event: TEvent }) {
  const { dict } = useI18n();
  const t = dict.room;
  const toast = useToast();
  const { status, room, endedReason } = useRoomStream(event.id);
  const [summary, setSummary] = useState<TEventSummary | null>(null);

  // The summary follows what it counts: who joined, started, and their done steps.
  const summaryKey = useMemo(
    () => (room ? room.attendees.map((a) => `${a.userId}:${a.status}:${a.doneSteps.length}`).join(",") : ""),
    [room],
  );
  useEffect(() => {
    if (!summaryKey) return;
    let cancelled = false;
    apiRequest("GET", `/api/events/${encodeURIComponent(event.id)}/summary`, ZEventSummary)
      .then((s) => !cancelled && setSummary(s))
      .catch(() => undefined); // the figures stay as they were; the room itself still works
    return () => {
      cancelled = true;
    };
  }, [event.id, summaryKey]);

  const failed = (caught: unknown): void => {
    toast.show("error", formatMessage(t.actionFailed, { message: apiErrorText(caught, dict) }));
  };

  /** Runs an action on attendee sessions, asking first when it takes work away; failures go to a toast. */
  async function act(action: RoomAction, confirmText: string, done: (count: number) => string): Promise<void> {
    const request = roomActionRequest(event.id, action);
    if (request.confirm && !window.confirm(confirmText)) return;
    try {
      let count = 1;
      if (request.answer === "bulk") {
        count = (await apiRequest("POST", request.path, ZEventBulkResult)).count;
      } else if (request.answer === "session") {
        await apiRequest("POST", request.path, ZSession);
      } else {
        await apiRequestNoContent(request.method, request.path);
      }
      toast.show("success", done(count));
    } catch (caught) {
      failed(caught);
    }
  }

  const stepCount = room?.steps.length ?? 0;
  const s = t.summary;
  const figures: [string, string][] = summary
    ? [
        [s.joined, String(summary.joined)],
        [s.started, String(summary.started)],
        [s.finished, String(summary.finished)],
        [s.medianStepsDone, summary.medianStepsDone === null ? "–" : String(summary.medianStepsDone)],
        [
          s.medianSecondsToReady,
          summary.medianSecondsToReady === null ? "–" : `${Math.round(summary.medianSecondsToReady)} s`,
        ],
      ]
    : [];

  return (
    <div className="room-page" data-testid="room-page" data-stream={status}>
      <div className="room-head">
        <h1>{formatMessage(t.title, { title: event.title })}</h1>
        <span className={`badge room-stream-${status}`} data-testid="room-stream-status">
          {status === "ended"
            ? formatMessage(t.streamStatus.ended, { reason: endedReason ?? "" })
            : t.streamStatus[status]}
        </span>
      </div>
      <p className="lead">{t.lead}</p>

      <section className="room-panel room-summary" aria-labelledby="room-summary-title">
        <h2 id="room-summary-title">{t.summaryTitle}</h2>
        <dl className="room-figures" data-testid="room-summary">
          {figures.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <div className="event-actions">
          <a
            className="button"
            href={`/api/events/${encodeURIComponent(event.id)}/export.csv`}
            download
            data-testid="room-export"
          >
            {t.exportCsv}
          </a>
          <button
            type="button"
            className="button"
            data-testid="room-extend-all"
            onClick={() =>
              void act({ kind: "extend_all" }, "", (count) => formatMessage(t.extendedAll, { count: String(count) }))
            }
          >
            {t.extendAll}
          </button>
          <button
            type="button"
            className="button button-danger"
            data-testid="room-end-all"
            onClick={() =>
              void act({ kind: "end_all" }, t.endAllConfirm, (count) =>
                formatMessage(t.endedAll, { count: String(count) }),
              )
            }
          >
            {t.endAll}
          </button>
          <Link href="/events" className="button-quiet">
            {t.backToEvents}
          </Link>
        </div>
      </section>

      <div className="room-columns">
        <HelpQueue eventId={event.id} help={room?.help ?? null} onError={failed} />
        <BroadcastPanel eventId={event.id} stepCount={stepCount} onError={failed} />
      </div>

      <RoomRoster
        eventId={event.id}
        attendees={room?.attendees ?? []}
        stepCount={stepCount}
        onEnd={(a) =>
          void act({ kind: "end", sessionId: a.sessionId }, formatMessage(t.endConfirm, { name: a.name }), () =>
            formatMessage(t.ended, { name: a.name }),
          )
        }
        onReset={(a) =>
          void act({ kind: "reset", sessionId: a.sessionId }, formatMessage(t.resetConfirm, { name: a.name }), () =>
            formatMessage(t.wasReset, { name: a.name }),
          )
        }
      />

      <ProgressBoard attendees={room?.attendees ?? []} steps={room?.steps ?? []} />
    </div>
  );
}
