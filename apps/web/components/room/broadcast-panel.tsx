"use client";

import { ZBroadcast, ZBroadcastList, type TBroadcast } from "@kubelab/shared";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { stepLabel } from "@/lib/room/board";
import { broadcastStep } from "@/lib/room/room-actions";

interface BroadcastPanelProps {
  eventId: string;
  /** The lesson's steps (0 before the first room, or when the lesson left the catalog). */
  stepCount: number;
  onError: (caught: unknown) => void;
}

/** A message (and optionally a step to go to) to every attendee's lab page, and the recent ones. */
export function BroadcastPanel({ eventId, stepCount, onError }: BroadcastPanelProps) {
  const { dict, locale } = useI18n();
  const t = dict.room;
  const toast = useToast();
  const [message, setMessage] = useState("");
  const [step, setStep] = useState("");
  const [sending, setSending] = useState(false);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [recent, setRecent] = useState<TBroadcast[] | null>(null);
  const path = `/api/events/${encodeURIComponent(eventId)}/broadcasts` as const;

  // A notification only: a new callback identity must not load the list again.
  const onErrorRef = useRef(onError);
  useEffect(() => {
    onErrorRef.current = onError;
  }, [onError]);

  useEffect(() => {
    let cancelled = false;
    apiRequest("GET", path, ZBroadcastList)
      .then((list) => !cancelled && setRecent(list.broadcasts))
      .catch((caught: unknown) => !cancelled && onErrorRef.current(caught));
    return () => {
      cancelled = true;
    };
  }, [path]);

  async function send(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const target = broadcastStep(step, stepCount);
    if (target === "invalid") {
      setInvalid(formatMessage(t.broadcastStepInvalid, { total: String(stepCount) }));
      return;
    }
    setInvalid(null);
    setSending(true);
    try {
      const body = target === null ? { message } : { message, step: target };
      const sent = await apiRequest("POST", path, ZBroadcast, { body });
      setRecent((previous) => [sent, ...(previous ?? []).filter((b) => b.id !== sent.id)]);
      setMessage("");
      setStep("");
      toast.show("success", t.broadcastSent);
    } catch (caught) {
      onError(caught);
    } finally {
      setSending(false);
    }
  }

  return (
    <section className="room-panel" aria-labelledby="room-broadcast-title">
      <h2 id="room-broadcast-title">{t.broadcastTitle}</h2>
      <form className="room-broadcast-form" onSubmit={(e) => void send(e)} data-testid="room-broadcast-form">
        <label className="event-field">
          {t.broadcastMessage}
          <textarea
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            maxLength={1000}
            rows={2}
            required
            data-testid="room-broadcast-message"
          />
        </label>
        <label className="event-field">
          {formatMessage(t.broadcastStep, { total: String(stepCount || "?") })}
          <input
            type="number"
            min={1}
            max={stepCount || undefined}
            value={step}
            onChange={(e) => setStep(e.target.value)}
            data-testid="room-broadcast-step"
          />
        </label>
        {invalid ? (
          <p className="form-error" role="alert">
            {invalid}
          </p>
        ) : null}
        <button
          type="submit"
          className="button button-primary"
          disabled={sending || message.trim() === ""}
          data-testid="room-broadcast-send"
        >
          {t.broadcastSend}
        </button>
      </form>
      <h3>{t.broadcastRecent}</h3>
      {recent && recent.length === 0 ? <p className="muted">{t.broadcastNone}</p> : null}
      <ul className="room-broadcasts" data-testid="room-broadcasts">
        {(recent ?? []).slice(0, 10).map((b) => (
          <li key={b.id} data-testid="room-broadcast">
            <span className="room-broadcast-text">{b.message}</span>
            {b.step !== null ? (
              <span className="muted"> · {formatMessage(t.broadcastGoTo, { step: stepLabel(b.step) })}</span>
            ) : null}
            <br />
            <small className="muted">
              {formatMessage(t.broadcastBy, {
                author: b.author ?? "–",
                time: new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" }).format(
                  new Date(b.createdAt),
                ),
              })}
            </small>
          </li>
        ))}
      </ul>
    </section>
  );
}
