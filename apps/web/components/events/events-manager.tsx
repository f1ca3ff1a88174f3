"use client";

import { ZEvent, ZEventList, type TEvent, type TLessonSummary } from "@kubelab/shared";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { apiRequest, apiRequestNoContent, serverNow } from "@/lib/api/browser-api";
import { formatEventTime, formatJoinCode } from "@/lib/events/join-code";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { copyText } from "@/lib/ui/copy-text";
import { EventForm } from "./event-form";

type Editing = { kind: "none" } | { kind: "new" } | { kind: "edit"; event: TEvent };

/** The instructor's events (an admin's: everyone's), with the form to create and change them. */
export function EventsManager({ lessons }: { lessons: TLessonSummary[] }) {
  const { dict, locale } = useI18n();
  const t = dict.events;
  const toast = useToast();
  const [events, setEvents] = useState<TEvent[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>({ kind: "none" });
  const [origin, setOrigin] = useState("");

  const load = useCallback(async () => {
    try {
      setEvents((await apiRequest("GET", "/api/events", ZEventList)).events);
      setLoadError(null);
    } catch (caught) {
      setLoadError(formatMessage(t.loadFailed, { message: apiErrorText(caught, dict) }));
    }
  }, [dict, t]);

  useEffect(() => {
    setOrigin(window.location.origin);
    void load();
  }, [load]);

  async function act(run: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await run();
      toast.show("success", done);
    } catch (caught) {
      toast.show("error", formatMessage(t.actionFailed, { message: apiErrorText(caught, dict) }));
    }
    await load();
  }

  function endNow(event: TEvent): void {
    if (!window.confirm(formatMessage(t.endConfirm, { title: event.title }))) return;
    void act(() => apiRequest("POST", `/api/events/${event.id}/end`, ZEvent), t.ended);
  }

  function remove(event: TEvent): void {
    if (!window.confirm(formatMessage(t.removeConfirm, { title: event.title }))) return;
    void act(() => apiRequestNoContent("DELETE", `/api/events/${event.id}`), t.removed);
  }

  function saved(): void {
    setEditing({ kind: "none" });
    toast.show("success", t.saved);
    void load();
  }

  const lessonTitle = (id: string) => {
    const lesson = lessons.find((l) => l.id === id);
    return lesson?.titles[locale] ?? lesson?.titles[lesson.languages[0] ?? ""] ?? id;
  };
  const now = serverNow();

  return (
    <div className="events-page">
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      {editing.kind === "none" ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => setEditing({ kind: "new" })}
          data-testid="event-new"
        >
          {t.newEvent}
        </button>
      ) : (
        <EventForm
          key={editing.kind === "edit" ? editing.event.id : "new"}
          lessons={lessons}
          event={editing.kind === "edit" ? editing.event : null}
          onSaved={saved}
          onCancel={() => setEditing({ kind: "none" })}
        />
      )}
      {loadError ? (
        <p className="notice notice-error" role="alert">
          {loadError}
        </p>
      ) : null}
      {events && events.length === 0 ? <p className="muted">{t.empty}</p> : null}
      <ul className="event-list">
        {(events ?? []).map((event) => {
          const status =
            Date.parse(event.endsAt) <= now ? "ended" : Date.parse(event.startsAt) <= now ? "running" : "upcoming";
          const link = `${origin}${event.joinPath}`;
          return (
            <li key={event.id} className="event-card" data-testid="event-row" data-event-id={event.id}>
              <div className="event-card-head">
                <h2>{event.title}</h2>
                <span className={`badge event-status-${status}`} data-testid="event-status" data-status={status}>
                  {t.status[status]}
                </span>
              </div>
              <p className="muted">
                {lessonTitle(event.lessonId)} ·{" "}
                {formatMessage(t.when, {
                  start: formatEventTime(event.startsAt, locale),
                  end: formatEventTime(event.endsAt, locale),
                })}
              </p>
              <p className="muted">
                {formatMessage(t.capacityLine, {
                  capacity: String(event.capacity),
                  reserved: String(event.reservedSessions),
                })}
              </p>
              <dl className="event-join">
                <dt>{t.code}</dt>
                <dd className="event-code" data-testid="event-code">
                  {formatJoinCode(event.accessCode)}
                </dd>
                <dt>{t.joinLink}</dt>
                <dd>
                  <a href={event.joinPath} data-testid="event-join-link">
                    {link}
                  </a>{" "}
                  <button
                    type="button"
                    className="button-quiet"
                    onClick={() => void copyText(link).then((ok) => ok && toast.show("info", t.copied))}
                  >
                    {t.copyLink}
                  </button>
                </dd>
              </dl>
              <div className="event-actions">
                <Link className="button button-primary" href={`/events/${event.id}/room`} data-testid="event-room">
                  {t.room}
                </Link>
                <Link className="button" href={`/events/${event.id}/projector`} data-testid="event-projector">
                  {t.projector}
                </Link>
                <button
                  type="button"
                  className="button"
                  onClick={() => setEditing({ kind: "edit", event })}
                  data-testid="event-edit"
                >
                  {t.edit}
                </button>
                {status !== "ended" ? (
                  <button type="button" className="button" onClick={() => endNow(event)} data-testid="event-end">
                    {t.endNow}
                  </button>
                ) : null}
                <button type="button" className="button" onClick={() => remove(event)} data-testid="event-delete">
                  {t.remove}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
