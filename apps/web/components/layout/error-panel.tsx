"use client";

import Link from "next/link";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface ErrorPanelProps {
  title: string;
  body: string;
  error: Error & { digest?: string };
  reset: () => void;
}

/** Body of every error.tsx: what happened, what to do, and the digest to quote to an admin. */
export function ErrorPanel({ title, body, error, reset }: ErrorPanelProps) {
  const { dict } = useI18n();
  // Server errors reach the browser without their message (only the digest); a
  // client-side error may carry one, e.g. a network failure.
  const unreachable = error.message.includes("fetch failed") || error.message.includes("ECONNREFUSED");
  return (
    <div className="error-panel" role="alert" data-testid="error-panel">
      <h1>{title}</h1>
      <p className="lead">{unreachable ? dict.errors.apiUnreachable : body}</p>
      {error.digest ? <p className="muted">{formatMessage(dict.errors.reference, { digest: error.digest })}</p> : null}
      <p className="error-actions">
        <button type="button" className="button button-primary" onClick={reset}>
          {dict.common.retry}
        </button>
        <Link href="/" className="button">
          {dict.common.goHome}
        </Link>
      </p>
    </div>
  );
}
