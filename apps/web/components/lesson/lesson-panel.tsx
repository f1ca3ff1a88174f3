"use client";

import type { TLesson, TLessonProgress } from "@kubelab/shared";
import { useEffect, useMemo, useRef, type ReactNode } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { StepContent } from "./step-content";
import { StepNavigator } from "./step-navigator";
import { useLessonProgress } from "./use-lesson-progress";

interface LessonPanelProps {
  lesson: TLesson;
  /** Set when the lesson is shown in another language than the interface's. */
  languageNote: string | null;
  initialProgress: TLessonProgress | null;
  sessionId: string | null;
  /** What a classroom event adds under the steps (help, broadcasts), given the lesson position. */
  classroom?: (lesson: { currentStep: number; goTo: (step: number) => void }) => ReactNode;
}

export function LessonPanel({ lesson, languageNote, initialProgress, sessionId, classroom }: LessonPanelProps) {
  const { dict } = useI18n();
  const { currentStep, doneSteps, goTo, setDone } = useLessonProgress(lesson.id, lesson.steps.length, initialProgress);
  const step = lesson.steps[currentStep];
  const scrollRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  // A stable object: React 19 resets innerHTML (reloading images) when it changes identity.
  const introMarkup = useMemo(() => ({ __html: lesson.introHtml }), [lesson.introHtml]);

  // On a step change (not on load): back to the top, and focus the heading so
  // keyboard and screen-reader users land on the new step.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    scrollRef.current?.scrollTo({ top: 0 });
    headingRef.current?.focus();
  }, [currentStep]);

  if (!step) return null;
  const isDone = doneSteps.includes(currentStep);
  const isLast = currentStep === lesson.steps.length - 1;

  return (
    <article className="lesson-panel" aria-labelledby="lesson-title" data-testid="lesson-panel" lang={lesson.lang}>
      <header className="lesson-header">
        <h1 id="lesson-title">{lesson.title}</h1>
        {languageNote ? (
          <p className="notice notice-small" data-testid="lesson-language-note">
            {languageNote}
          </p>
        ) : null}
        <StepNavigator steps={lesson.steps} currentStep={currentStep} doneSteps={doneSteps} onSelect={goTo} />
        {classroom?.({ currentStep, goTo })}
      </header>
      <div className="lesson-scroll" ref={scrollRef}>
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
        >
          <p className="step-counter">
            {formatMessage(dict.lab.stepOf, { current: currentStep + 1, total: lesson.steps.length })}
          </p>
          <h2 id="step-title" ref={headingRef} tabIndex={-1}>
            {step.title}
          </h2>
          <StepContent html={step.html} blocks={step.blocks} sessionId={sessionId} />
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
          {!isLast ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setDone(currentStep, true);
                goTo(currentStep + 1);
              }}
              data-testid="step-next"
            >
              {dict.lab.doneAndNext} →
            </button>
          ) : null}
        </footer>
      </div>
    </article>
  );
}
