"use client";

import type { TLessonStep } from "@kubelab/shared";
import { useId } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface StepNavigatorProps {
  steps: TLessonStep[];
  currentStep: number;
  doneSteps: number[];
  /** Steps whose checks and quizzes passed on the server. */
  verifiedSteps: number[];
  /** The furthest step that may be opened (a gated lesson's first unverified step). */
  lastOpen: number;
  onSelect: (step: number) => void;
}

// Up to this many steps, one chip per step fits in two rows of the lesson
// pane; a full workshop (the seed lesson has ~100 steps) gets a menu instead.
const MAX_CHIPS = 16;

/**
 * Progress summary plus a way to jump to any step: numbered chips or, for long lessons, a menu.
 * A step verified by its checks shows ✔ on a filled chip; one only marked done, ✓.
 */
export function StepNavigator({
  steps,
  currentStep,
  doneSteps,
  verifiedSteps,
  lastOpen,
  onSelect,
}: StepNavigatorProps) {
  const { dict } = useI18n();
  const selectId = useId();
  const done = new Set(doneSteps);
  const verified = new Set(verifiedSteps);
  const stateOf = (index: number) => (verified.has(index) ? "verified" : done.has(index) ? "done" : "open");
  const mark = (index: number) => ({ verified: " ✔", done: " ✓", open: "" })[stateOf(index)];
  const stateText = (index: number) =>
    ({ verified: ` (${dict.lesson.verified})`, done: ` (${dict.lab.done})`, open: "" })[stateOf(index)];
  const doneCount = new Set([...doneSteps, ...verifiedSteps]).size;
  return (
    <nav className="step-nav" aria-label={dict.lab.stepsNav}>
      <p className="step-nav-summary" data-testid="steps-done">
        {formatMessage(dict.lab.stepsDone, { done: doneCount, total: steps.length })}
        {verifiedSteps.length > 0 ? (
          <span data-testid="steps-verified">
            {" · "}
            {formatMessage(dict.lesson.stepsVerified, { verified: verifiedSteps.length })}
          </span>
        ) : null}
      </p>
      <progress className="step-progress" max={steps.length} value={doneCount} aria-hidden="true" />
      {steps.length > MAX_CHIPS ? (
        <div className="step-select">
          <label htmlFor={selectId} className="visually-hidden">
            {dict.lab.stepsNav}
          </label>
          <select
            id={selectId}
            value={currentStep}
            onChange={(event) => onSelect(Number(event.target.value))}
            data-testid="step-select"
          >
            {steps.map((step) => (
              <option key={step.index} value={step.index} disabled={step.index > lastOpen}>
                {`${step.index + 1}. ${step.title}${mark(step.index)}`}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <ol className="step-chips">
          {steps.map((step) => {
            const state = stateOf(step.index);
            const locked = step.index > lastOpen;
            return (
              <li key={step.index}>
                <button
                  type="button"
                  className="step-chip"
                  aria-current={step.index === currentStep ? "step" : undefined}
                  data-done={state !== "open"}
                  data-verified={state === "verified"}
                  disabled={locked}
                  title={locked ? dict.lesson.lockedStep : step.title}
                  onClick={() => onSelect(step.index)}
                  data-testid={`step-chip-${step.index}`}
                >
                  <span aria-hidden="true">{state === "verified" ? "✔" : state === "done" ? "✓" : step.index + 1}</span>
                  <span className="visually-hidden">{`${step.index + 1}. ${step.title}${stateText(step.index)}`}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </nav>
  );
}
