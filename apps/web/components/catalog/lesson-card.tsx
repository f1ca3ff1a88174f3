import type { TLessonSummary, TSession } from "@kubelab/shared";
import Link from "next/link";
import type { Dictionary } from "@/lib/i18n/dictionaries/en";
import { formatMessage } from "@/lib/i18n/format-message";
import { languageDisplayName } from "@/lib/i18n/get-dictionary";
import type { Locale } from "@/lib/i18n/locales";
import { loginPath } from "@/lib/lab/safe-next-path";

interface LessonCardProps {
  lesson: TLessonSummary;
  locale: Locale;
  dict: Dictionary;
  loggedIn: boolean;
  activeSession: TSession | undefined;
}

/** Picks the text in the interface language, else English, else whatever the lesson has. */
function localized(texts: Record<string, string>, locale: Locale): string {
  return texts[locale] ?? texts.en ?? Object.values(texts)[0] ?? "";
}

export function LessonCard({ lesson, locale, dict, loggedIn, activeSession }: LessonCardProps) {
  const labPath = `/lab/${lesson.id}`;
  const action = !loggedIn ? "login" : activeSession ? "resume" : "start";
  // Logged out, "Start lab" leads through the login page and back here (?next=).
  const label = action === "resume" ? dict.catalog.resume : dict.catalog.start;
  const titleId = `lesson-${lesson.id}-title`;
  return (
    <li className="lesson-card" data-testid="lesson-card" data-lesson-id={lesson.id} aria-labelledby={titleId}>
      <h2 id={titleId} className="lesson-card-title">
        {localized(lesson.titles, locale)}
      </h2>
      <p className="lesson-card-description">{localized(lesson.descriptions, locale)}</p>
      <ul className="lesson-facts">
        <li>{formatMessage(dict.catalog.durationMinutes, { minutes: lesson.durationMinutes })}</li>
        <li className={`badge badge-${lesson.difficulty}`}>{dict.catalog.difficulty[lesson.difficulty]}</li>
        <li>
          {lesson.nodes.length === 1
            ? dict.catalog.oneNode
            : formatMessage(dict.catalog.nodes, { count: lesson.nodes.length })}
        </li>
        <li>
          {lesson.steps === 1 ? dict.catalog.oneStep : formatMessage(dict.catalog.steps, { count: lesson.steps })}
        </li>
        <li data-testid="lesson-languages">
          {dict.catalog.languages}: {lesson.languages.map((code) => languageDisplayName(code, locale)).join(", ")}
        </li>
      </ul>
      {activeSession ? (
        <p className="lesson-card-active" data-testid="lesson-active">
          <span className="status-dot status-dot-ok" aria-hidden="true" /> {dict.catalog.activeSession}
        </p>
      ) : null}
      <Link
        href={loggedIn ? labPath : loginPath(labPath)}
        className={action === "resume" ? "button button-primary" : "button"}
        data-testid="lesson-action"
        data-action={action}
        aria-describedby={titleId}
      >
        {label}
      </Link>
    </li>
  );
}
