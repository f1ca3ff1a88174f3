"use client";

import type { TLessonBlock } from "@kubelab/shared";
import { createContext, useContext } from "react";
import type { LessonVariableValues } from "@/lib/lab/lesson-variables";
import type { LessonChecks } from "./use-lesson-checks";

/** What the enhanced parts of a step (blocks, checks, quizzes, download links) need from the lab. */
export interface LessonLab {
  lessonId: string;
  /** Null until the session is ready. */
  sessionId: string | null;
  variables: LessonVariableValues;
  checks: LessonChecks;
  /** A block was typed into its terminal (automatic checks follow run blocks). */
  onBlockTyped: (block: TLessonBlock) => void;
}

export const LessonLabContext = createContext<LessonLab | null>(null);

export function useLessonLab(): LessonLab {
  const lab = useContext(LessonLabContext);
  if (!lab) throw new Error("useLessonLab must be used inside <LessonLabContext>");
  return lab;
}
