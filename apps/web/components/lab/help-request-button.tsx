"use client";

import { ZMyHelp, ZMyHelpRequest, type TMyHelpRequest } from "@kubelab/shared";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { apiRequest, apiRequestNoContent } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

/** How often an open request is re-read (its place in the queue, someone looking, resolved). */
const HELP_POLL_MS = 2_000;

interface HelpRequestButtonProps {
  /** The attendee's ready session of a classroom event. */
  sessionId: string;
  /** The lesson step they are on, sent with the request. */
  currentStep: number;
}

/**
 * "Ask for help" on an event's lab page (issue 16): an optional message and the current step go to
 * the instructor's queue; while the request is open it shows the place in the queue, then who is
 * looking once an instructor claimed it, and lets the attendee withdraw it.
 */
export function HelpRequestButton({ sessionId, currentStep }: HelpRequestButtonProps) {
  const { dict } = useI18n();
  const toast = useToast();
  const [request, setRequest] = useState<TMyHelpRequest | null>(null);
  const [composing, setComposing] = useState(false);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const texts = dict.lab.help;

  // The open request (one raised before a reload too); polled while it is open.
  const requestId = request?.id ?? null;
  useEffect(() => {
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = (): void => {
      apiRequest("GET", `/api/sessions/${sessionId}/help`, ZMyHelp)
        .then(({ request: fresh }) => {
          if (disposed) return;
          setRequest(fresh);
          if (fresh) timer = setTimeout(read, HELP_POLL_MS);
        })
        .catch(() => {
          // A blip: try again at the next tick while a request is open.
          if (!disposed && requestId) timer = setTimeout(read, HELP_POLL_MS);
        });
    };
    if (requestId) timer = setTimeout(read, HELP_POLL_MS);
    else read();
    return () => {
      disposed = true;
      clearTimeout(timer);
    };
  }, [sessionId, requestId]);

  const send = useCallback(
    async (event: FormEvent) => {
      event.preventDefault();
      setBusy(true);
      try {
        const trimmed = message.trim();
        const raised = await apiRequest("POST", `/api/sessions/${sessionId}/help`, ZMyHelpRequest, {
          body: { step: currentStep, ...(trimmed ? { message: trimmed } : {}) },
        });
        setRequest(raised);
        setComposing(false);
        setMessage("");
      } catch (error) {
        toast.show("error", formatMessage(texts.failed, { message: apiErrorText(error, dict) }));
      } finally {
        setBusy(false);
      }
    },
    [message, sessionId, currentStep, toast, texts, dict],
  );

  const withdraw = useCallback(async () => {
    setBusy(true);
    try {
      await apiRequestNoContent("DELETE", `/api/sessions/${sessionId}/help`);
      setRequest(null);
    } catch (error) {
      toast.show("error", formatMessage(texts.failed, { message: apiErrorText(error, dict) }));
    } finally {
      setBusy(false);
    }
  }, [sessionId, toast, texts, dict]);

  if (request) {
    return (
      <div className="help-request notice notice-small" role="status" data-testid="help-request">
        <span data-testid="help-request-state" data-claimed={request.claimed} data-position={request.position}>
          {request.claimed
            ? formatMessage(texts.looking, { name: request.claimedBy ?? texts.someone })
            : formatMessage(texts.position, { position: request.position })}
        </span>
        <button
          type="button"
          className="button button-small"
          onClick={() => void withdraw()}
          disabled={busy}
          data-testid="help-withdraw"
        >
          {texts.withdraw}
        </button>
      </div>
    );
  }
  if (composing) {
    return (
      <form className="help-request help-request-form" onSubmit={(e) => void send(e)} data-testid="help-form">
        <label htmlFor="help-message">{formatMessage(texts.messageLabel, { step: currentStep + 1 })}</label>
        <textarea
          id="help-message"
          value={message}
          maxLength={500}
          rows={2}
          placeholder={texts.messagePlaceholder}
          onChange={(e) => setMessage(e.target.value)}
          data-testid="help-message"
        />
        <div className="help-request-actions">
          <button type="submit" className="button button-primary button-small" disabled={busy} data-testid="help-send">
            {texts.send}
          </button>
          <button type="button" className="button button-small" onClick={() => setComposing(false)} disabled={busy}>
            {texts.cancel}
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="help-request">
      <button type="button" className="button button-small" onClick={() => setComposing(true)} data-testid="help-ask">
        {texts.ask}
      </button>
    </div>
  );
}
