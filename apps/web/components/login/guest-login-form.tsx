"use client";

import { ZMeResponse } from "@kubelab/shared";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useId, useState, type FormEvent } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useHydrated } from "@/lib/ui/use-hydrated";

export function GuestLoginForm({ next }: { next: string }) {
  const { dict } = useI18n();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    // The common mistake gets a message in the interface language; the server checks the rest.
    if (!name.trim()) {
      setError(dict.login.nameRequired);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await apiRequest("POST", "/api/auth/guest", ZMeResponse, { body: { name } });
      // A full load: every server-rendered part (header, lab layout) must see the new cookie.
      window.location.assign(next);
    } catch (caught) {
      setError(formatMessage(dict.login.failed, { message: apiErrorText(caught, dict) }));
      setBusy(false);
    }
  }

  return (
    <form className="login-form" onSubmit={(event) => void submit(event)} data-testid="guest-login-form" noValidate>
      <h2>{dict.login.guestTitle}</h2>
      <label htmlFor={inputId}>{dict.login.nameLabel}</label>
      <p id={hintId} className="muted">
        {dict.login.guestHint}
      </p>
      <input
        id={inputId}
        name="name"
        type="text"
        required
        maxLength={64}
        autoComplete="nickname"
        autoFocus
        value={name}
        onChange={(event) => setName(event.target.value)}
        aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        aria-invalid={error ? true : undefined}
        data-testid="guest-name"
      />
      {error ? (
        <p id={errorId} className="form-error" role="alert" data-testid="login-error">
          {error}
        </p>
      ) : null}
      <button
        type="submit"
        className="button button-primary"
        disabled={busy || !hydrated}
        data-testid="guest-login-submit"
      >
        {busy ? dict.login.submitting : dict.login.submit}
      </button>
    </form>
  );
}
