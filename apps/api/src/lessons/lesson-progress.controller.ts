import { Body, Controller, Get, Param, Put } from "@nestjs/common";
import { ZLessonProgressUpdate, type TLessonProgress } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { AppError } from "../common/app-error";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { LessonCatalog } from "./lesson-catalog.service";
import { LessonProgressStore } from "./lesson-progress.service";
import { LessonSetup } from "./lesson-setup.service";

@Controller("api/lessons/:id/progress")
export class LessonProgressController {
  constructor(
    private readonly progress: LessonProgressStore,
    private readonly catalog: LessonCatalog,
    private readonly setup: LessonSetup,
  ) {}

  @Get()
  async get(@CurrentUser() user: User, @Param("id") id: string): Promise<TLessonProgress> {
    this.catalog.get(id);
    return this.progress.get(user.id, id);
  }

  /** The attendee's own moves; verifiedSteps and passed are the server's (checks and quizzes). */
  @Put()
  async put(@CurrentUser() user: User, @Param("id") id: string, @Body() body: unknown): Promise<TLessonProgress> {
    const update = parseBody(ZLessonProgressUpdate, body);
    const lesson = this.catalog.get(id);
    const steps = lesson.steps.length;
    if (update.currentStep >= steps || update.doneSteps.some((s) => s >= steps)) {
      throw new AppError("bad_request", `This lesson has ${steps} steps (0-${steps - 1})`);
    }
    const { progress, moved } = await this.progress.save(user.id, lesson, update);
    // The step's background script (Killercoda step background.sh), once per session.
    if (moved) void this.setup.stepReached(user.id, id, progress.currentStep).catch(() => undefined);
    // Not signalled to the instructor's room: its once-a-second rebuild shows it. Pushing every
    // save at once cost a full room message per step with a class moving (bench:room, 100
    // attendees: 6.3 messages and 200 KiB a second to each instructor page).
    return progress;
  }
}
