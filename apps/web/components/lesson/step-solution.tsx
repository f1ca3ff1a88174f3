"use client";

import { useMemo, useState } from "react";
import { useI18n } from "@/lib/i18n/i18n-provider";

/** A step's solution, revealed on request after a confirmation (trying first is the point of the lab). */
export function StepSolution({ html }: { html: string }) {
  const { dict } = useI18n();
  const [stage, setStage] = useState<"hidden" | "confirm" | "shown">("hidden");
  const markup = useMemo(() => ({ __html: html }), [html]);
  return (
    <section className="step-solution" data-testid="solution" data-stage={stage} aria-label={dict.lesson.solution}>
      {stage === "hidden" ? (
        <button type="button" className="button" onClick={() => setStage("confirm")} data-testid="solution-show">
          {dict.lesson.showSolution}
        </button>
      ) : null}
      {stage === "confirm" ? (
        <div className="notice notice-small solution-confirm" role="group" aria-label={dict.lesson.solution}>
          <p>{dict.lesson.solutionConfirm}</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setStage("hidden")}>
              {dict.common.cancel}
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setStage("shown")}
              autoFocus
              data-testid="solution-confirm"
            >
              {dict.lesson.solutionReveal}
            </button>
          </div>
        </div>
      ) : null}
      {stage === "shown" ? (
        <>
          <h3 className="solution-title">{dict.lesson.solution}</h3>
          <div className="lesson-html" dangerouslySetInnerHTML={markup} data-testid="solution-body" />
        </>
      ) : null}
    </section>
  );
}
