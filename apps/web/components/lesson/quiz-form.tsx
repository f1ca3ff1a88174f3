"use client";

import { ZQuizResult, type TLessonProgress, type TLessonQuiz, type TQuizResult } from "@kubelab/shared";
import { useId, useMemo, useState, type FormEvent } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface QuizFormProps {
  lessonId: string;
  quiz: TLessonQuiz;
  passedBefore: boolean;
  onProgress: (progress: TLessonProgress) => void;
}

/** A quiz (in its `.lesson-quiz` placeholder): radio buttons, or checkboxes when several answers are right; judged on the server. */
export function QuizForm({ lessonId, quiz, passedBefore, onProgress }: QuizFormProps) {
  const { dict } = useI18n();
  const name = useId();
  const [chosen, setChosen] = useState<number[]>([]);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<TQuizResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const question = useMemo(() => ({ __html: quiz.questionHtml }), [quiz.questionHtml]);
  const explanation = useMemo(() => (result?.explanationHtml ? { __html: result.explanationHtml } : null), [result]);
  const outcome = result ? (result.correct ? "right" : "wrong") : passedBefore ? "right" : "none";

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (chosen.length === 0 || sending) return;
    setSending(true);
    setError(null);
    try {
      const answer = await apiRequest(
        "POST",
        `/api/lessons/${lessonId}/quizzes/${encodeURIComponent(quiz.id)}/answers`,
        ZQuizResult,
        { body: { choices: chosen } },
      );
      setResult(answer);
      onProgress(answer.progress);
    } catch (failure) {
      setError(apiErrorText(failure, dict));
    } finally {
      setSending(false);
    }
  }

  function toggle(index: number, on: boolean): void {
    setResult(null);
    setChosen((current) =>
      quiz.multiple ? (on ? [...current, index].sort((a, b) => a - b) : current.filter((c) => c !== index)) : [index],
    );
  }

  return (
    <form
      className="quiz"
      onSubmit={(event) => void submit(event)}
      data-testid="quiz"
      data-quiz-id={quiz.id}
      data-outcome={outcome}
    >
      <fieldset>
        <legend className="quiz-question">
          <span className="quiz-label">{quiz.multiple ? dict.lesson.quizMultiple : dict.lesson.quizSingle}</span>
          <span className="lesson-html" dangerouslySetInnerHTML={question} />
        </legend>
        {quiz.choices.map((choice, index) => (
          <label key={index} className="quiz-choice">
            <input
              type={quiz.multiple ? "checkbox" : "radio"}
              name={name}
              checked={chosen.includes(index)}
              onChange={(event) => toggle(index, event.target.checked)}
              data-testid="quiz-choice"
            />
            {/* Sanitized inline HTML from the lesson parser. */}
            <span dangerouslySetInnerHTML={{ __html: choice }} />
          </label>
        ))}
      </fieldset>
      <div className="quiz-bar">
        <button type="submit" className="button" disabled={chosen.length === 0 || sending} data-testid="quiz-submit">
          {sending ? dict.lesson.quizSending : dict.lesson.quizAnswer}
        </button>
        <span role="status" className="quiz-status" data-testid="quiz-status">
          {outcome === "right"
            ? result
              ? dict.lesson.quizRight
              : dict.lesson.quizRightBefore
            : outcome === "wrong"
              ? dict.lesson.quizWrong
              : ""}
        </span>
      </div>
      {error ? <p className="notice notice-small notice-error">{error}</p> : null}
      {explanation ? (
        <div
          className="quiz-explanation lesson-html"
          data-testid="quiz-explanation"
          dangerouslySetInnerHTML={explanation}
        />
      ) : null}
    </form>
  );
}
