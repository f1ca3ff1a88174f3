"use client";

import { ZEventJoinResponse } from "@kubelab/shared";
import Link from "next/link";
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api/api-error";
import { apiRequest, serverNow } from "@/lib/api/browser-api";
import { formatEventTime, formatJoinCode, isPlausibleJoinCode, normalizeJoinCode } from "@/lib/events/join-code";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { formatDuration, useServerNow } from "@/lib/ui/use-now";
import { useHydrated } from "@/lib/ui/use-hydrated";

/** What the last join attempt said, when it was not the lab. */
type Outcome =
  | { kind: "form" }
  | { kind: "waiting"; startsAt: string }
  | { kind: "ended" }
  | { kind: "full" }
  | { kind: "needs_login" };

/** After the start, a join still refused as "not started" (clock skew) is retried this often. */
const START_RETRY_MS = 2_000;

interface JoinEventFormProps {
  /** From /join/<code>; absent on /join, which asks for it. */
  code?: string;
  /** The logged-in user's name; null asks guests for a name. */
  userName: string | null;
}

export function JoinEventForm({ code: fixedCode, userName }: JoinEventFormProps) {
  const { dict } = useI18n();
  const [code, setCode] = useState(fixedCode ?? "");
  const [name, setName] = useState("");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "form" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();
  const lastAttempt = useRef(0);
  const codeId = useId();
  const nameId = useId();
  const errorId = useId();

  const join = useCallback(async (): Promise<void> => {
    setBusy(true);
    setError(null);
    lastAttempt.current = serverNow();
    try {
      const body = { code: normalizeJoinCode(code), ...(userName ? {} : { name: name.trim() }) };
      const joined = await apiRequest("POST", "/api/events/join", ZEventJoinResponse, { body });
      // A full load: the header and the lab layout must see the login cookie a guest join just set.
      // The lab page picks this open session of the lesson up instead of creating another.
      window.location.assign(`/lab/${encodeURIComponent(joined.event.lessonId)}`);
      return;
    } catch (caught) {
      const code = caught instanceof ApiError ? caught.code : "";
      if (code === "event_not_started") {
        const startsAt = caught instanceof ApiError ? caught.details.find((d) => d.path === "startsAt")?.message : "";
        if (startsAt && !Number.isNaN(Date.parse(startsAt))) setOutcome({ kind: "waiting", startsAt });
        else setError(apiErrorText(caught, dict));
      } else if (code === "event_ended") setOutcome({ kind: "ended" });
      else if (code === "event_full") setOutcome({ kind: "full" });
      else if (code === "unauthenticated") setOutcome({ kind: "needs_login" });
      else if (code === "not_found") setError(dict.join.wrongCode);
      else if (code === "rate_limited") {
        const seconds = caught instanceof ApiError ? (caught.retryAfterSeconds ?? 60) : 60;
        setError(formatMessage(dict.join.rateLimited, { seconds: String(seconds) }));
      } else setError(formatMessage(dict.join.failed, { message: apiErrorText(caught, dict) }));
    }
    setBusy(false);
  }, [code, name, userName, dict]);

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    // Typos are caught here: a wrong code sent to the server counts towards its attempt limit.
    if (!normalizeJoinCode(code)) return setError(dict.join.codeRequired);
    if (!isPlausibleJoinCode(code)) return setError(dict.join.codeInvalid);
    if (!userName && !name.trim()) return setError(dict.join.nameRequired);
    void join();
  }

  const nextPath = `/join/${encodeURIComponent(normalizeJoinCode(code))}`;
  if (outcome.kind === "waiting") {
    return <WaitingForStart startsAt={outcome.startsAt} busy={busy} join={join} lastAttempt={lastAttempt} />;
  }
  if (outcome.kind === "ended" || outcome.kind === "full") {
    const ended = outcome.kind === "ended";
    return (
      <div className="notice" role="status" data-testid={ended ? "join-ended" : "join-full"}>
        <h2>{ended ? dict.join.endedTitle : dict.join.fullTitle}</h2>
        <p>{ended ? dict.join.endedBody : dict.join.fullBody}</p>
        {fixedCode ? null : (
          <button type="button" className="button" onClick={() => setOutcome({ kind: "form" })}>
            {dict.join.otherCode}
          </button>
        )}
      </div>
    );
  }
  if (outcome.kind === "needs_login") {
    return (
      <div className="notice" role="status" data-testid="join-needs-login">
        <p>{dict.join.needsLogin}</p>
        <Link className="button button-primary" href={`/login?next=${encodeURIComponent(nextPath)}`}>
          {dict.join.logIn}
        </Link>
      </div>
    );
  }

  return (
    <form className="login-form" onSubmit={submit} data-testid="join-form" noValidate>
      {fixedCode ? (
        <p className="join-code-shown" data-testid="join-code-shown">
          {formatMessage(dict.join.codeShown, { code: formatJoinCode(fixedCode) })}
        </p>
      ) : (
        <>
          <label htmlFor={codeId}>{dict.join.codeLabel}</label>
          <p className="muted">{dict.join.codeHint}</p>
          <input
            id={codeId}
            name="code"
            type="text"
            required
            maxLength={40}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            autoFocus
            value={code}
            onChange={(event) => setCode(event.target.value)}
            aria-describedby={error ? errorId : undefined}
            className="join-code-input"
            data-testid="join-code"
          />
        </>
      )}
      {userName ? (
        <p data-testid="join-as">{formatMessage(dict.join.loggedInAs, { name: userName })}</p>
      ) : (
        <>
          <label htmlFor={nameId}>{dict.join.nameLabel}</label>
          <p className="muted">{dict.join.nameHint}</p>
          <input
            id={nameId}
            name="name"
            type="text"
            required
            maxLength={64}
            autoComplete="nickname"
            autoFocus={Boolean(fixedCode)}
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-describedby={error ? errorId : undefined}
            data-testid="join-name"
          />
        </>
      )}
      {error ? (
        <p id={errorId} className="form-error" role="alert" data-testid="join-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={busy || !hydrated} data-testid="join-submit">
        {busy ? dict.join.submitting : dict.join.submit}
      </button>
      {fixedCode ? (
        <Link href="/join" className="muted">
          {dict.join.otherCode}
        </Link>
      ) : null}
    </form>
  );
}

interface WaitingProps {
  startsAt: string;
  busy: boolean;
  join: () => Promise<void>;
  lastAttempt: { current: number };
}

/** Counts down on the server's clock and joins by itself once the start has come. */
function WaitingForStart({ startsAt, busy, join, lastAttempt }: WaitingProps) {
  const { dict, locale } = useI18n();
  const now = useServerNow(500);
  const remaining = Date.parse(startsAt) - now;
  useEffect(() => {
    if (remaining <= 0 && !busy && now - lastAttempt.current >= START_RETRY_MS) void join();
  }, [remaining, busy, now, join, lastAttempt]);
  return (
    <div className="notice" role="status" data-testid="join-waiting">
      <h2>{dict.join.waitingTitle}</h2>
      <p data-testid="join-start-time" data-starts-at={startsAt}>
        {formatMessage(dict.join.waitingBody, { time: formatEventTime(startsAt, locale) })}
      </p>
      <p className="join-countdown" aria-live="off">
        {formatMessage(dict.join.startsIn, { duration: formatDuration(Math.max(0, remaining)) })}
      </p>
    </div>
  );
}
