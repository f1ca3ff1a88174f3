"use client";

import type { TLessonCheck } from "@kubelab/shared";
import { useMemo } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useLessonLab } from "./lesson-lab-context";

/**
 * One check of a step (rendered into its `.lesson-check` placeholder): the "Check" button naming
 * the node it runs in, then pass or fail with the script's output, and the step's hint on failure.
 */
export function CheckPanel({ check, passedBefore }: { check: TLessonCheck; passedBefore: boolean }) {
  const { dict } = useI18n();
  const { sessionId, checks } = useLessonLab();
  const state = checks.stateOf(check.id);
  const running = state.status === "running";
  const result = state.status === "result" ? state.result : null;
  const hintMarkup = useMemo(() => (result?.hintHtml ? { __html: result.hintHtml } : null), [result]);
  const outcome = result
    ? result.passed
      ? "pass"
      : "fail"
    : state.status === "error"
      ? "error"
      : passedBefore
        ? "pass"
        : "none";

  return (
    <div
      className="check-panel"
      data-testid="check"
      data-check-id={check.id}
      data-outcome={outcome}
      aria-busy={running}
    >
      <div className="check-bar">
        <button
          type="button"
          className="button check-button"
          aria-disabled={!sessionId || running}
          title={sessionId ? undefined : dict.lab.labNotReady}
          onClick={() => {
            if (sessionId && !running) checks.run(check.id);
          }}
          data-testid="check-run"
        >
          {running ? dict.lesson.checking : formatMessage(dict.lesson.checkIn, { node: check.node })}
        </button>
        {check.auto ? <span className="check-auto muted">{dict.lesson.checkAuto}</span> : null}
        <span className="check-status" role="status" data-testid="check-status">
          {running
            ? formatMessage(dict.lesson.checkRunning, { node: check.node })
            : outcome === "pass"
              ? result
                ? dict.lesson.checkPassed
                : dict.lesson.checkPassedBefore
              : outcome === "fail"
                ? result?.timedOut
                  ? formatMessage(dict.lesson.checkTimedOut, { seconds: check.timeoutSeconds })
                  : dict.lesson.checkFailed
                : ""}
        </span>
      </div>
      {state.status === "error" ? (
        <p className="notice notice-small notice-error" data-testid="check-error">
          {state.message}
        </p>
      ) : null}
      {result && result.output.trim() ? (
        <pre className="check-output" data-testid="check-output">
          {result.truncated ? `…${result.output}` : result.output}
        </pre>
      ) : null}
      {result && !result.passed && hintMarkup ? (
        <div className="check-hint" data-testid="check-hint">
          <p className="check-hint-title">{dict.lesson.hint}</p>
          <div className="lesson-html" dangerouslySetInnerHTML={hintMarkup} />
        </div>
      ) : null}
    </div>
  );
}
