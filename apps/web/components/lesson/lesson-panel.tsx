"use client";

import type { TLesson, TLessonBlock, TLessonProgress } from "@kubelab/shared";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { lastOpenStep, needsVerification } from "@/lib/lab/lesson-gate";
import { fillVariablesInHtml, type LessonVariableValues } from "@/lib/lab/lesson-variables";
import { LessonLabContext, type LessonLab } from "./lesson-lab-context";
import { StepContent } from "./step-content";
import { StepForeground } from "./step-foreground";
import { StepNavigator } from "./step-navigator";
import { StepSolution } from "./step-solution";
import { useLessonChecks } from "./use-lesson-checks";
import { useLessonProgress } from "./use-lesson-progress";

interface LessonPanelProps {
  lesson: TLesson;
  /** Set when the lesson is shown in another language than the interface's. */
  languageNote: string | null;
  initialProgress: TLessonProgress | null;
  sessionId: string | null;
  /** What lesson variables stand for in this lab ({{session.id}}, {{node1.url.30001}}, ...). */
  variables: LessonVariableValues;
  /** Downloads a file of a node (the step's download links). */
  onDownload: (node: string, path: string) => void;
  /** What a classroom event adds under the steps (help, broadcasts), given the lesson position. */
  classroom?: (lesson: { currentStep: number; goTo: (step: number) => void }) => ReactNode;
}

export function LessonPanel({
  lesson,
  languageNote,
  initialProgress,
  sessionId,
  variables,
  onDownload,
  classroom,
}: LessonPanelProps) {
  const { dict } = useI18n();
  const lastOpen = useCallback(
    (verifiedSteps: number[]) => lastOpenStep(lesson.steps, verifiedSteps, lesson.gated),
    [lesson.steps, lesson.gated],
  );
  const progress = useLessonProgress(lesson.id, lesson.steps.length, initialProgress, lastOpen);
  const { currentStep, doneSteps, verifiedSteps, passed, goTo, setDone, applyServerProgress } = progress;
  const checks = useLessonChecks(sessionId, passed, applyServerProgress);
  const [finished, setFinished] = useState(false);
  const step = lesson.steps[currentStep];
  const scrollRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  // Stable objects: React 19 resets innerHTML (reloading images) when they change identity.
  const introMarkup = useMemo(
    () => ({ __html: fillVariablesInHtml(lesson.introHtml, variables) }),
    [lesson.introHtml, variables],
  );
  const finishMarkup = useMemo(
    () => ({ __html: fillVariablesInHtml(lesson.finishHtml, variables) }),
    [lesson.finishHtml, variables],
  );

  const onBlockTyped = useCallback(
    (block: TLessonBlock) => {
      if (block.mode === "run" && step) checks.afterRunBlock(step);
    },
    [checks, step],
  );
  const lab = useMemo<LessonLab>(
    () => ({ lessonId: lesson.id, sessionId, variables, checks, onBlockTyped }),
    [lesson.id, sessionId, variables, checks, onBlockTyped],
  );

  // On a step change (not on load): back to the top, and focus the heading so
  // keyboard and screen-reader users land on the new step.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    scrollRef.current?.scrollTo({ top: 0 });
    headingRef.current?.focus();
  }, [currentStep, finished]);

  if (!step) return null;
  const isDone = doneSteps.includes(currentStep);
  const isVerified = verifiedSteps.includes(currentStep);
  const isLast = currentStep === lesson.steps.length - 1;
  const open = lastOpen(verifiedSteps);
  // A gated lesson's Next waits for this step's checks and quizzes.
  const nextLocked = lesson.gated && needsVerification(step) && !isVerified;
  const hasFinish = lesson.finishHtml.trim() !== "";

  return (
    <LessonLabContext.Provider value={lab}>
      <article className="lesson-panel" aria-labelledby="lesson-title" data-testid="lesson-panel" lang={lesson.lang}>
        <header className="lesson-header">
          <h1 id="lesson-title">{lesson.title}</h1>
          {languageNote ? (
            <p className="notice notice-small" data-testid="lesson-language-note">
              {languageNote}
            </p>
          ) : null}
          <StepNavigator
            steps={lesson.steps}
            currentStep={currentStep}
            doneSteps={doneSteps}
            verifiedSteps={verifiedSteps}
            lastOpen={open}
            onSelect={(index) => {
              setFinished(false);
              goTo(index);
            }}
          />
          {classroom?.({ currentStep, goTo })}
        </header>
        <StepForeground sessionId={sessionId} step={step} variables={variables} />
        <div className="lesson-scroll" ref={scrollRef}>
          {finished ? (
            <section className="lesson-finish" aria-labelledby="finish-title" data-testid="lesson-finish">
              <h2 id="finish-title" ref={headingRef} tabIndex={-1}>
                {dict.lesson.finishTitle}
              </h2>
              <div className="lesson-html" dangerouslySetInnerHTML={finishMarkup} />
              <footer className="step-footer">
                <button type="button" className="button" onClick={() => setFinished(false)} data-testid="finish-back">
                  ← {dict.lesson.backToSteps}
                </button>
              </footer>
            </section>
          ) : (
            <>
              {lesson.introHtml.trim() ? (
                <details className="lesson-intro" open={currentStep === 0}>
                  <summary>{dict.lab.introduction}</summary>
                  <div className="lesson-html" dangerouslySetInnerHTML={introMarkup} />
                </details>
              ) : null}
              <section
                className="lesson-step"
                aria-labelledby="step-title"
                data-testid="lesson-step"
                data-step-index={currentStep}
                data-done={isDone}
                data-verified={isVerified}
              >
                <p className="step-counter">
                  {formatMessage(dict.lab.stepOf, { current: currentStep + 1, total: lesson.steps.length })}
                  {isVerified ? (
                    <span className="step-verified-badge" data-testid="step-verified">
                      ✔ {dict.lesson.verified}
                    </span>
                  ) : null}
                </p>
                <h2 id="step-title" ref={headingRef} tabIndex={-1}>
                  {step.title}
                </h2>
                <StepContent
                  html={step.html}
                  blocks={step.blocks}
                  checks={step.checks}
                  quizzes={step.quizzes}
                  passed={passed}
                  onProgress={applyServerProgress}
                  onDownload={onDownload}
                />
                {step.solutionHtml ? <StepSolution key={currentStep} html={step.solutionHtml} /> : null}
              </section>
              <footer className="step-footer">
                <button
                  type="button"
                  className="button"
                  onClick={() => goTo(currentStep - 1)}
                  disabled={currentStep === 0}
                  data-testid="step-prev"
                >
                  ← {dict.lab.previous}
                </button>
                <button
                  type="button"
                  className="button"
                  aria-pressed={isDone}
                  onClick={() => setDone(currentStep, !isDone)}
                  data-testid="step-done-toggle"
                >
                  {isDone ? `✓ ${dict.lab.done}` : dict.lab.markDone}
                </button>
                {!isLast || hasFinish ? (
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={nextLocked}
                    aria-describedby={nextLocked ? "step-locked" : undefined}
                    onClick={() => {
                      setDone(currentStep, true);
                      if (isLast) setFinished(true);
                      else goTo(currentStep + 1);
                    }}
                    data-testid="step-next"
                  >
                    {isLast ? dict.lesson.doneAndFinish : dict.lab.doneAndNext} →
                  </button>
                ) : null}
                {nextLocked ? (
                  <p id="step-locked" className="step-locked muted" data-testid="step-locked">
                    {dict.lesson.nextLocked}
                  </p>
                ) : null}
              </footer>
            </>
          )}
        </div>
      </article>
    </LessonLabContext.Provider>
  );
}
