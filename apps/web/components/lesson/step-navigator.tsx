"use client";

import type { TLessonStep } from "@kubelab/shared";
import { useId } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface StepNavigatorProps {
  steps: TLessonStep[];
  currentStep: number;
  doneSteps: number[];
  onSelect: (step: number) => void;
}

// Up to this many steps, one chip per step fits in two rows of the lesson
// pane; a full workshop (the seed lesson has ~100 steps) gets a menu instead.
const MAX_CHIPS = 16;

/** Progress summary plus a way to jump to any step: numbered chips (✓ when done) or, for long lessons, a menu. */
export function StepNavigator({ steps, currentStep, doneSteps, onSelect }: StepNavigatorProps) {
  const { dict } = useI18n();
  const selectId = useId();
  const done = new Set(doneSteps);
  const label = (step: TLessonStep) => `${step.index + 1}. ${step.title}${done.has(step.index) ? " ✓" : ""}`;
  return (
    <nav className="step-nav" aria-label={dict.lab.stepsNav}>
      <p className="step-nav-summary" data-testid="steps-done">
        {formatMessage(dict.lab.stepsDone, { done: done.size, total: steps.length })}
      </p>
      <progress className="step-progress" max={steps.length} value={done.size} aria-hidden="true" />
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
              <option key={step.index} value={step.index}>
                {label(step)}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <ol className="step-chips">
          {steps.map((step) => {
            const isDone = done.has(step.index);
            return (
              <li key={step.index}>
                <button
                  type="button"
                  className="step-chip"
                  aria-current={step.index === currentStep ? "step" : undefined}
                  data-done={isDone}
                  title={step.title}
                  onClick={() => onSelect(step.index)}
                  data-testid={`step-chip-${step.index}`}
                >
                  <span aria-hidden="true">{isDone ? "✓" : step.index + 1}</span>
                  <span className="visually-hidden">
                    {`${step.index + 1}. ${step.title}${isDone ? ` (${dict.lab.done})` : ""}`}
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </nav>
  );
}
