"use client";

import { ZSessionBroadcast, type TBroadcast } from "@kubelab/shared";
import { useEffect, useState } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { dismissBroadcast, isBroadcastDismissed } from "@/lib/lab/broadcast-dismissal";

/** How often the event's latest broadcast is re-read. */
const BROADCAST_POLL_MS = 2_000;

interface BroadcastBannerProps {
  /** The attendee's session of a classroom event. */
  sessionId: string;
  /** The lesson's number of steps: a broadcast's step outside it gets no button. */
  stepCount: number;
  /** Moves the lesson to a step (0-based). */
  onGoToStep: (step: number) => void;
}

/**
 * The instructor's latest broadcast on an event's lab page (issue 16): its message, author and, when
 * it names one, a "Go to step N" button. Dismissed broadcasts stay dismissed in this browser (the
 * page may reload or move to a reset session); a newer one shows again.
 */
export function BroadcastBanner({ sessionId, stepCount, onGoToStep }: BroadcastBannerProps) {
  const { dict } = useI18n();
  const [broadcast, setBroadcast] = useState<TBroadcast | null>(null);
  const texts = dict.lab.broadcast;

  useEffect(() => {
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = (): void => {
      apiRequest("GET", `/api/sessions/${sessionId}/broadcast`, ZSessionBroadcast)
        .then(({ broadcast: latest }) => {
          if (disposed) return;
          setBroadcast((shown) => {
            if (!latest || isBroadcastDismissed(window.localStorage, latest.id)) return null;
            return shown?.id === latest.id ? shown : latest;
          });
        })
        .catch(() => undefined)
        .finally(() => {
          if (!disposed) timer = setTimeout(read, BROADCAST_POLL_MS);
        });
    };
    read();
    return () => {
      disposed = true;
      clearTimeout(timer);
    };
  }, [sessionId]);

  if (!broadcast) return null;
  const dismiss = (): void => {
    dismissBroadcast(window.localStorage, broadcast.id);
    setBroadcast(null);
  };
  const step = broadcast.step !== null && broadcast.step < stepCount ? broadcast.step : null;
  return (
    <div
      className="broadcast-banner notice"
      role="status"
      data-testid="broadcast-banner"
      data-broadcast-id={broadcast.id}
    >
      <p className="broadcast-message" data-testid="broadcast-message">
        {broadcast.message}
      </p>
      <p className="broadcast-author muted">
        {formatMessage(texts.from, { name: broadcast.author ?? texts.instructor })}
      </p>
      <div className="broadcast-actions">
        {step !== null ? (
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => {
              onGoToStep(step);
              dismiss();
            }}
            data-testid="broadcast-go-to-step"
          >
            {formatMessage(texts.goToStep, { step: step + 1 })}
          </button>
        ) : null}
        <button type="button" className="button button-small" onClick={dismiss} data-testid="broadcast-dismiss">
          {texts.dismiss}
        </button>
      </div>
    </div>
  );
}
