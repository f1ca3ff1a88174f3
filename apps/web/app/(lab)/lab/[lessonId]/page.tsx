import { ZLessonId } from "@kubelab/shared";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { LabWorkspace } from "@/components/lab/lab-workspace";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary, languageDisplayName } from "@/lib/i18n/get-dictionary";
import { getLocale } from "@/lib/server/locale";
import { loadLesson, loadProgress } from "@/lib/server/load-lesson";
import { getCurrentUser } from "@/lib/server/current-user";
import { loadLimits } from "@/lib/server/load-limits";

interface LabPageProps {
  params: Promise<{ lessonId: string }>;
}

export async function generateMetadata({ params }: LabPageProps): Promise<Metadata> {
  const { lessonId } = await params;
  if (!ZLessonId.safeParse(lessonId).success) return {};
  const loaded = await loadLesson(lessonId, await getLocale());
  return loaded ? { title: loaded.lesson.title } : {};
}

export default async function LabPage({ params }: LabPageProps) {
  const { lessonId } = await params;
  if (!ZLessonId.safeParse(lessonId).success) notFound();
  const locale = await getLocale();
  const [loaded, progress, limits, user] = await Promise.all([
    loadLesson(lessonId, locale),
    loadProgress(lessonId),
    loadLimits(),
    getCurrentUser(),
  ]);
  // The layout answered 404 already; this only narrows the type.
  if (!loaded) notFound();
  const { lesson, isFallback } = loaded;
  const languageNote = isFallback
    ? formatMessage(getDictionary(locale).lab.lessonNotInLanguage, {
        wanted: languageDisplayName(locale, locale),
        shown: languageDisplayName(lesson.lang, locale),
      })
    : null;
  return (
    <LabWorkspace
      lesson={lesson}
      languageNote={languageNote}
      initialProgress={progress}
      limits={limits}
      userName={user?.name ?? ""}
    />
  );
}
