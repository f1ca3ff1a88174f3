import "server-only";
import { ZLesson, ZLessonProgress, type TLesson, type TLessonProgress } from "@kubelab/shared";
import { cache } from "react";
import type { Locale } from "@/lib/i18n/locales";
import { apiFetch } from "./api-fetch";

export interface LoadedLesson {
  lesson: TLesson;
  /** The lesson has no version in the interface language; `lesson.lang` is another one. */
  isFallback: boolean;
}

/** The lesson in the interface language when it exists, else in its default language; null when there is no such lesson. */
// Cached per request: the page and its metadata both need the lesson.
export const loadLesson = cache(async (id: string, locale: Locale): Promise<LoadedLesson | null> => {
  const wanted = await apiFetch(`/api/lessons/${encodeURIComponent(id)}?lang=${locale}`, ZLesson);
  if (wanted.ok) return { lesson: wanted.data, isFallback: false };
  if (wanted.error.status !== 404) throw wanted.error;
  // 404 means no such lesson or no such language: the default version tells which.
  const fallback = await apiFetch(`/api/lessons/${encodeURIComponent(id)}`, ZLesson);
  if (fallback.ok) return { lesson: fallback.data, isFallback: true };
  if (fallback.error.status === 404) return null;
  throw fallback.error;
});

/** Saved progress, or null when the server cannot store progress (the page then keeps it in memory). */
export async function loadProgress(id: string): Promise<TLessonProgress | null> {
  const result = await apiFetch(`/api/lessons/${encodeURIComponent(id)}/progress`, ZLessonProgress);
  if (result.ok) return result.data;
  // 401: the (lab) layout, rendered in parallel with the page, is redirecting to the login page.
  if (result.error.status === 404 || result.error.status === 401) return null;
  throw result.error;
}
