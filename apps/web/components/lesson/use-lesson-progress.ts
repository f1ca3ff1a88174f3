"use client";

import { ZLessonProgress, type TLessonProgress } from "@kubelab/shared";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useCallback, useRef, useState } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface Progress {
  currentStep: number;
  doneSteps: number[];
}

/** What only the server decides (checks and quizzes passed there); the page never sends it. */
interface Verified {
  verifiedSteps: number[];
  passed: string[];
}

export interface LessonProgress extends Progress, Verified {
  goTo: (step: number) => void;
  setDone: (step: number, done: boolean) => void;
  /** Takes the server's verified steps and passed checks from a check or quiz answer. */
  applyServerProgress: (progress: TLessonProgress) => void;
}

/**
 * Current step and done steps, saved per user through the progress API. Saves
 * go out one at a time and only the latest state is sent, so quick clicks never
 * race each other into an older state on the server. `lastOpen` is the furthest
 * step the attendee may go to (a gated lesson's first step not verified yet).
 */
export function useLessonProgress(
  lessonId: string,
  stepCount: number,
  initial: TLessonProgress | null,
  lastOpen: (verifiedSteps: number[]) => number = () => stepCount - 1,
): LessonProgress {
  const { dict } = useI18n();
  const toast = useToast();
  const clamp = useCallback((step: number) => Math.min(Math.max(0, step), Math.max(0, stepCount - 1)), [stepCount]);
  const [progress, setProgress] = useState<Progress>(() => ({
    currentStep: clamp(initial?.currentStep ?? 0),
    doneSteps: (initial?.doneSteps ?? []).filter((step) => step < stepCount),
  }));
  const [verified, setVerified] = useState<Verified>(() => ({
    verifiedSteps: initial?.verifiedSteps ?? [],
    passed: initial?.passed ?? [],
  }));
  const verifiedRef = useRef(verified);
  const pending = useRef<Progress | null>(null);
  const saving = useRef(false);
  const failureShown = useRef(false);
  // Without a progress API (older server) the progress lives in this page only.
  const persistent = initial !== null;

  // Changes come from clicks, one at a time; the ref lets a change see the previous one immediately.
  const latest = useRef(progress);

  // Verified steps and passed checks only ever grow, so answers are merged (a save answered late
  // must not hide a check that passed meanwhile). A verified step is done too (the server adds it
  // to doneSteps): keep it so, or the next save would send doneSteps without it.
  const applyServerProgress = useCallback(
    (server: TLessonProgress) => {
      const current = verifiedRef.current;
      const next = {
        verifiedSteps: [...new Set([...current.verifiedSteps, ...server.verifiedSteps])].sort((a, b) => a - b),
        passed: [...new Set([...current.passed, ...server.passed])],
      };
      verifiedRef.current = next;
      setVerified(next);
      const missing = server.verifiedSteps.filter(
        (step) => step < stepCount && !latest.current.doneSteps.includes(step),
      );
      if (missing.length > 0) {
        const doneSteps = [...latest.current.doneSteps, ...missing].sort((a, b) => a - b);
        latest.current = { ...latest.current, doneSteps };
        setProgress(latest.current);
      }
    },
    [stepCount],
  );

  const save = useCallback(
    async (next: Progress) => {
      pending.current = next;
      if (saving.current || !persistent) return;
      saving.current = true;
      while (pending.current) {
        const body = pending.current;
        pending.current = null;
        try {
          applyServerProgress(await apiRequest("PUT", `/api/lessons/${lessonId}/progress`, ZLessonProgress, { body }));
          failureShown.current = false;
        } catch (error) {
          // One message per run of failures, not one per click.
          if (!failureShown.current) {
            toast.show("error", formatMessage(dict.lab.progressSaveFailed, { message: apiErrorText(error, dict) }));
            failureShown.current = true;
          }
        }
      }
      saving.current = false;
    },
    [lessonId, persistent, toast, dict, applyServerProgress],
  );

  const update = useCallback(
    (change: (current: Progress) => Progress) => {
      const next = change(latest.current);
      if (next === latest.current) return;
      latest.current = next;
      setProgress(next);
      void save(next);
    },
    [save],
  );

  const goTo = useCallback(
    (step: number) =>
      update((current) => {
        const target = Math.min(clamp(step), lastOpen(verifiedRef.current.verifiedSteps));
        return target === current.currentStep ? current : { ...current, currentStep: target };
      }),
    [update, clamp, lastOpen],
  );

  const setDone = useCallback(
    (step: number, done: boolean) =>
      update((current) => {
        if (current.doneSteps.includes(step) === done) return current;
        const doneSteps = done
          ? [...current.doneSteps, step].sort((a, b) => a - b)
          : current.doneSteps.filter((s) => s !== step);
        return { ...current, doneSteps };
      }),
    [update],
  );

  return { ...progress, ...verified, goTo, setDone, applyServerProgress };
}
