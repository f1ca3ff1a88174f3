"use client";

import type { TSession } from "@kubelab/shared";
import { noticesExplainingFailure } from "@/lib/lab/failure-notices";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { ErrorDetail } from "@/components/ui/error-detail";
import type { ApiError } from "@/lib/api/api-error";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { queuePositionText } from "@/lib/i18n/queue-position";
import { sessionReasonDetail, sessionReasonText } from "@/lib/i18n/session-reason";
import { useServerNow } from "@/lib/ui/use-now";
import { SessionNotices } from "./session-notices";
import type { LabSession } from "./use-lab-session";

/** The right pane whenever there is no ready lab: starting, provisioning, quota, failed, ended, errors. */
export function SessionStatePanel({ lab }: { lab: LabSession }) {
  const { dict } = useI18n();
  const { state } = lab;
  switch (state.phase) {
    case "starting":
      return (
        <StatePanel kind="starting" busy>
          <p className="state-title">{dict.session.starting}</p>
          <progress aria-label={dict.session.starting} />
        </StatePanel>
      );
    case "error":
      return (
        <StatePanel kind="error">
          <p className="state-title" role="alert">
            {state.error.code === "no_capacity"
              ? dict.session.noCapacity
              : formatMessage(dict.session.startFailed, { message: apiErrorText(state.error, dict) })}
          </p>
          <ErrorDetail error={state.error} />
          <ActionButton label={dict.common.retry} action={lab.restart} testId="session-retry" />
        </StatePanel>
      );
    case "quota":
      return <QuotaPanel lab={lab} blocking={state.blocking} error={state.error} />;
    case "active":
      return <SessionStatus lab={lab} session={state.session} />;
  }
}

function SessionStatus({ lab, session }: { lab: LabSession; session: TSession }) {
  const { dict, locale } = useI18n();
  const reasonText = sessionReasonText(session, dict, locale);
  switch (session.status) {
    // A user never sees a pooled session (claiming makes it ready); waiting is the honest fallback.
    case "pooled":
    case "provisioning":
      return <ProvisioningPanel session={session} />;
    case "queued":
      return <QueuePanel lab={lab} session={session} />;
    case "ready":
      return null;
    case "ending":
      return (
        <StatePanel kind="ending" busy>
          <p className="state-title">{dict.session.endingNow}</p>
          <progress aria-label={dict.session.endingNow} />
        </StatePanel>
      );
    case "failed":
      return (
        <StatePanel kind="failed">
          <p className="state-title" role="alert">
            {dict.session.failed}
          </p>
          {reasonText ? (
            <p data-testid="session-reason" data-reason={session.reason} data-reason-code={session.stopReason?.code}>
              {formatMessage(dict.session.failedReason, { reason: reasonText })}
            </p>
          ) : null}
          <ReasonDetail session={session} />
          <SessionNotices notices={noticesExplainingFailure(session)} />
          <ActionButton label={dict.session.tryAgain} action={lab.restart} testId="session-retry" />
        </StatePanel>
      );
    case "ended":
      return (
        <StatePanel kind="ended">
          <p className="state-title" role="alert" data-reason-code={session.stopReason?.code}>
            {reasonText ?? dict.session.ended}
          </p>
          <ActionButton label={dict.session.startNew} action={lab.restart} testId="session-start-new" />
          <Link href="/">{dict.common.backToCatalog}</Link>
        </StatePanel>
      );
  }
}

/** The server's English text behind a reason, folded away like ErrorDetail: for a bug report. */
function ReasonDetail({ session }: { session: TSession }) {
  const { dict } = useI18n();
  const detail = sessionReasonDetail(session);
  if (!detail) return null;
  return (
    <details className="error-detail" data-testid="session-reason-detail">
      <summary>{dict.apiErrors.detail}</summary>
      <p lang="en">{detail}</p>
    </details>
  );
}

function ProvisioningPanel({ session }: { session: TSession }) {
  const { dict } = useI18n();
  const now = useServerNow();
  const elapsed = Math.max(0, Math.floor((now - Date.parse(session.createdAt)) / 1000));
  const running = session.nodes.filter((node) => node.status === "running").length;
  return (
    <StatePanel kind="provisioning" busy>
      <p className="state-title">{dict.session.provisioning}</p>
      {/* Indeterminate (animated) until the first node runs: nodes usually start together. */}
      <progress
        max={Math.max(1, session.nodes.length)}
        value={running > 0 ? running : undefined}
        aria-label={formatMessage(dict.session.nodesReady, { ready: running, total: session.nodes.length })}
      />
      <p>
        {formatMessage(dict.session.nodesReady, { ready: running, total: session.nodes.length })} ·{" "}
        <span data-testid="provisioning-elapsed">{formatMessage(dict.session.elapsed, { seconds: elapsed })}</span>
      </p>
      <p className="muted">{dict.session.provisioningHint}</p>
    </StatePanel>
  );
}

/** Every place is taken: where the attendee stands in the queue; the lab starts by itself. */
function QueuePanel({ lab, session }: { lab: LabSession; session: TSession }) {
  const { dict } = useI18n();
  const position = session.queue?.position ?? 1;
  const seconds = session.queue?.estimateSeconds ?? 0;
  const text = queuePositionText(session.queue, dict);
  return (
    <StatePanel kind="queued" busy>
      <p className="state-title">{dict.session.queueTitle}</p>
      <p role="status" data-testid="queue-position" data-position={position} data-estimate-seconds={seconds}>
        {text}
      </p>
      <progress aria-label={text} />
      <p className="muted">{dict.session.queueHint}</p>
      <ActionButton
        label={dict.session.leaveQueue}
        action={async () => {
          await lab.end();
          lab.refresh();
        }}
        testId="queue-leave"
      />
    </StatePanel>
  );
}

function QuotaPanel({ lab, blocking, error }: { lab: LabSession; blocking: TSession[]; error: ApiError }) {
  const { dict } = useI18n();
  const other = blocking[0];
  return (
    <StatePanel kind="quota">
      <p className="state-title" role="alert">
        {dict.session.quotaTitle}
      </p>
      <p>
        {other?.lesson ? formatMessage(dict.session.quotaOther, { lesson: other.lesson }) : dict.session.quotaUnknown}
      </p>
      <ErrorDetail error={error} />
      <div className="state-actions">
        <ActionButton label={dict.session.endOtherAndStart} action={lab.endOthersAndStart} testId="session-end-other" />
        {other?.lesson ? (
          <Link className="button" href={`/lab/${other.lesson}`}>
            {dict.session.goToOther}
          </Link>
        ) : null}
      </div>
    </StatePanel>
  );
}

function StatePanel({ kind, busy = false, children }: { kind: string; busy?: boolean; children: ReactNode }) {
  return (
    <div className="state-panel" data-testid="session-state" data-state={kind} aria-busy={busy}>
      {children}
    </div>
  );
}

/** A button for a slow action: disabled while it runs so a double click cannot start two labs. */
function ActionButton({ label, action, testId }: { label: string; action: () => Promise<void>; testId: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button button-primary"
      disabled={busy}
      data-testid={testId}
      onClick={() => {
        setBusy(true);
        void action().finally(() => setBusy(false));
      }}
    >
      {label}
    </button>
  );
}
