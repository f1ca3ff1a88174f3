"use client";

import { ZCheckResult, type TCheckResult, type TLessonProgress, type TLessonStep } from "@kubelab/shared";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { AutoCheckScheduler } from "@/lib/lab/auto-check";

export type CheckState =
  | { status: "idle" }
  | { status: "running" }
  | { status: "result"; result: TCheckResult }
  | { status: "error"; message: string };

export interface LessonChecks {
  stateOf: (checkId: string) => CheckState;
  /** Runs a check in its node now, showing its progress and result. */
  run: (checkId: string) => void;
  /** A run block of this step was typed: its automatic checks follow, quietly. */
  afterRunBlock: (step: TLessonStep) => void;
}

const IDLE: CheckState = { status: "idle" };

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The lesson's checks (POST /api/sessions/:id/checks/:checkId): what each one showed last, the
 * attendee's "Check" buttons, and the automatic checks after run blocks, which only speak up when
 * they pass (a failure right after a command is usually "not yet").
 */
export function useLessonChecks(
  sessionId: string | null,
  passed: readonly string[],
  applyServerProgress: (progress: TLessonProgress) => void,
): LessonChecks {
  const { dict } = useI18n();
  const [states, setStates] = useState<Record<string, CheckState>>({});
  const running = useRef(new Set<string>());
  const passedRef = useRef(passed);
  useLayoutEffect(() => {
    passedRef.current = passed;
  });

  const request = useCallback(
    async (checkId: string): Promise<TCheckResult> => {
      const result = await apiRequest(
        "POST",
        `/api/sessions/${sessionId}/checks/${encodeURIComponent(checkId)}`,
        ZCheckResult,
      );
      applyServerProgress(result.progress);
      return result;
    },
    [sessionId, applyServerProgress],
  );

  const run = useCallback(
    (checkId: string) => {
      if (!sessionId || running.current.has(checkId)) return;
      running.current.add(checkId);
      setStates((current) => ({ ...current, [checkId]: { status: "running" } }));
      void request(checkId)
        .then((result): CheckState => ({ status: "result", result }))
        .catch((error: unknown): CheckState => ({ status: "error", message: apiErrorText(error, dict) }))
        .then((state) => setStates((current) => ({ ...current, [checkId]: state })))
        .finally(() => running.current.delete(checkId));
    },
    [sessionId, request, dict],
  );

  // Automatic tries: a pass is shown like a pressed "Check"; anything else stays silent.
  const runQuietly = useCallback(
    async (checkIds: string[]): Promise<string[]> => {
      const failing: string[] = [];
      for (const checkId of checkIds) {
        if (running.current.has(checkId)) {
          failing.push(checkId);
          continue;
        }
        running.current.add(checkId);
        try {
          const result = await request(checkId);
          if (result.passed) setStates((current) => ({ ...current, [checkId]: { status: "result", result } }));
          else failing.push(checkId);
        } catch {
          failing.push(checkId);
        } finally {
          running.current.delete(checkId);
        }
      }
      return failing;
    },
    [request],
  );

  const runQuietlyRef = useRef(runQuietly);
  useLayoutEffect(() => {
    runQuietlyRef.current = runQuietly;
  });
  const scheduler = useMemo(() => new AutoCheckScheduler((ids) => runQuietlyRef.current(ids), wait), []);
  useEffect(() => () => scheduler.cancel(), [scheduler]);

  const afterRunBlock = useCallback(
    (step: TLessonStep) => {
      if (!sessionId) return;
      const auto = step.checks.filter((check) => check.auto && !passedRef.current.includes(check.id));
      if (auto.length > 0) scheduler.trigger(auto.map((check) => check.id));
    },
    [sessionId, scheduler],
  );

  const stateOf = useCallback((checkId: string) => states[checkId] ?? IDLE, [states]);
  return useMemo(() => ({ stateOf, run, afterRunBlock }), [stateOf, run, afterRunBlock]);
}
