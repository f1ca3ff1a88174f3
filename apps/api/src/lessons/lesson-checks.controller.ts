import { Body, Controller, HttpCode, Param, Post, Query } from "@nestjs/common";
import { ZQuizAnswer, type TCheckResult, type TQuizResult } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { LessonChecks } from "./lesson-checks.service";
import { langQuery } from "./lessons.controller";

/** Checks run in the caller's session and quiz answers judged on the server (docs/api.md, Lessons). */
@Controller("api")
export class LessonChecksController {
  constructor(private readonly checks: LessonChecks) {}

  @Post("sessions/:id/checks/:checkId")
  @HttpCode(200)
  check(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("checkId") checkId: string,
    @Query("lang") lang?: string,
  ): Promise<TCheckResult> {
    return this.checks.run(user, id, checkId, langQuery(lang));
  }

  @Post("lessons/:id/quizzes/:quizId/answers")
  @HttpCode(200)
  answer(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("quizId") quizId: string,
    @Body() body: unknown,
    @Query("lang") lang?: string,
  ): Promise<TQuizResult> {
    return this.checks.answer(user, id, quizId, parseBody(ZQuizAnswer, body), langQuery(lang));
  }
}
