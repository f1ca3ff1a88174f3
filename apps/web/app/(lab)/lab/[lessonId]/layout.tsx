import { ZLessonId } from "@kubelab/shared";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { getLocale } from "@/lib/server/locale";
import { loadLesson } from "@/lib/server/load-lesson";

interface LessonLayoutProps {
  children: ReactNode;
  params: Promise<{ lessonId: string }>;
}

// Checks the lesson exists before the page's loading.tsx boundary starts
// streaming: a notFound() from inside that boundary would reach the browser
// as HTTP 200. loadLesson is cached per request, so the page reuses the answer.
export default async function LessonLayout({ children, params }: LessonLayoutProps) {
  const { lessonId } = await params;
  if (!ZLessonId.safeParse(lessonId).success) notFound();
  if (!(await loadLesson(lessonId, await getLocale()))) notFound();
  return children;
}
