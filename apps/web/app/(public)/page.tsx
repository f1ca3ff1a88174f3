import { isSessionStatusIn, OPEN_SESSION_STATUSES, ZLessonCatalog, ZSessionList, type TSession } from "@kubelab/shared";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { LessonCard } from "@/components/catalog/lesson-card";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";

export default async function CatalogPage() {
  const [locale, user] = await Promise.all([getLocale(), getCurrentUser()]);
  const dict = getDictionary(locale);
  const [catalog, sessions] = await Promise.all([
    apiFetch("/api/lessons", ZLessonCatalog),
    user ? apiFetch("/api/sessions", ZSessionList) : null,
  ]);

  // The newest open session per lesson (the list is newest first): "Resume lab".
  const activeByLesson = new Map<string, TSession>();
  for (const session of sessions?.ok ? sessions.data.sessions : []) {
    if (
      session.lesson &&
      isSessionStatusIn(OPEN_SESSION_STATUSES, session.status) &&
      !activeByLesson.has(session.lesson)
    ) {
      activeByLesson.set(session.lesson, session);
    }
  }

  return (
    <>
      <h1>{dict.catalog.title}</h1>
      <p className="lead">{dict.catalog.lead}</p>
      {!catalog.ok ? (
        <p className="notice notice-error" role="alert">
          {formatMessage(dict.catalog.loadFailed, { message: apiErrorText(catalog.error, dict) })}
        </p>
      ) : catalog.data.lessons.length === 0 ? (
        <p className="notice" data-testid="catalog-empty">
          {dict.catalog.empty}
        </p>
      ) : (
        <ul className="lesson-grid" data-testid="lesson-catalog">
          {catalog.data.lessons.map((lesson) => (
            <LessonCard
              key={lesson.id}
              lesson={lesson}
              locale={locale}
              dict={dict}
              loggedIn={user !== null}
              activeSession={activeByLesson.get(lesson.id)}
            />
          ))}
        </ul>
      )}
    </>
  );
}
