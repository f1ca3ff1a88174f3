import { Injectable } from "@nestjs/common";
import type { TLesson, TLessonProgress, TLessonProgressUpdate } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import type { LessonProgress } from "../generated/prisma/client";
import { furthestOpenStep, recordPass } from "./lesson-verification";

function view(lessonId: string, row: LessonProgress | null): TLessonProgress {
  return {
    lesson: lessonId,
    currentStep: row?.currentStep ?? 0,
    doneSteps: row?.doneSteps ?? [],
    verifiedSteps: row?.verifiedSteps ?? [],
    passed: row?.passed ?? [],
  };
}

/**
 * A user's progress in a lesson (one row per user and lesson, kept across sessions). The attendee
 * writes currentStep and doneSteps (PUT); only the server writes verifiedSteps and passed, from
 * checks that ran in a node and quiz answers it judged.
 */
@Injectable()
export class LessonProgressStore {
  constructor(private readonly prisma: PrismaService) {}

  async get(userId: string, lessonId: string): Promise<TLessonProgress> {
    const row = await this.prisma.lessonProgress.findUnique({ where: { userId_lessonId: { userId, lessonId } } });
    return view(lessonId, row);
  }

  /**
   * The attendee's own save. doneSteps keeps the verified steps whatever the page sends (they are
   * done by definition); a gated lesson refuses a currentStep past its first unverified step with
   * checks or quizzes. Returns the progress and whether currentStep changed.
   */
  async save(
    userId: string,
    lesson: TLesson,
    update: TLessonProgressUpdate,
  ): Promise<{ progress: TLessonProgress; moved: boolean }> {
    const where = { userId_lessonId: { userId, lessonId: lesson.id } };
    const before = await this.prisma.lessonProgress.findUnique({ where });
    const verifiedSteps = before?.verifiedSteps ?? [];
    const furthest = furthestOpenStep(lesson, verifiedSteps);
    if (update.currentStep > furthest) {
      throw new AppError(
        "step_not_verified",
        `Step ${furthest + 1} must pass its checks before step ${update.currentStep + 1} opens`,
      );
    }
    const doneSteps = [...new Set([...update.doneSteps, ...verifiedSteps])].sort((a, b) => a - b);
    const data = { currentStep: update.currentStep, doneSteps };
    const moved = before?.currentStep !== data.currentStep;
    // stepSince: when the current step became current (the instructor's room shows who is stuck).
    const row = await this.prisma.lessonProgress.upsert({
      where,
      create: { userId, lessonId: lesson.id, ...data, stepSince: new Date() },
      update: { ...data, ...(moved ? { stepSince: new Date() } : {}) },
    });
    return { progress: view(lesson.id, row), moved };
  }

  /**
   * Records a passed check or quiz (`id`, of step `stepIndex`), and the step as verified and done once
   * all of its checks and quizzes have passed. Row-locked: a quiz answered while a check finishes
   * must not lose either.
   */
  async pass(userId: string, lesson: TLesson, stepIndex: number, id: string): Promise<TLessonProgress> {
    return this.prisma.$transaction(async (tx) => {
      const where = { userId_lessonId: { userId, lessonId: lesson.id } };
      await tx.lessonProgress.upsert({
        where,
        create: { userId, lessonId: lesson.id, currentStep: 0, doneSteps: [], stepSince: new Date() },
        update: {},
      });
      await tx.$queryRaw`SELECT 1 FROM lesson_progress
        WHERE user_id = ${userId}::uuid AND lesson_id = ${lesson.id} FOR UPDATE`;
      const row = await tx.lessonProgress.findUniqueOrThrow({ where });
      const next = recordPass(lesson, row, stepIndex, id);
      const saved = await tx.lessonProgress.update({ where, data: next });
      return view(lesson.id, saved);
    });
  }
}
