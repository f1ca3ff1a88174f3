import { Injectable, Logger } from "@nestjs/common";
import type { TCheckResult, TLesson, TQuizAnswer, TQuizResult } from "@kubelab/shared";
import { SessionAccess } from "../access/session-access.service";
import { usableNode, type Viewer } from "../access/session-access-rules";
import { AppError } from "../common/app-error";
import { Metrics } from "../metrics/metrics.service";
import { DockerEngines } from "../nodes/docker-engines.service";
import { LessonCatalog } from "./lesson-catalog.service";
import { LessonProgressStore } from "./lesson-progress.service";
import { OutputTail } from "./lesson-verification";

/**
 * Checks and quizzes: the server's side of "did the attendee do it". A check runs its script in
 * the session's node (DockerEngine.runScript, never on the host), one at a time per session; a
 * quiz answer is judged against answers that never leave the server. Passes go into the user's
 * progress (LessonProgressStore).
 */
@Injectable()
export class LessonChecks {
  private readonly logger = new Logger("LessonChecks");
  // Sessions with a check running in this process (one at a time each: a check may take minutes,
  // and a page pressing "Check" repeatedly must not pile scripts up in the node).
  private readonly running = new Set<string>();

  constructor(
    private readonly access: SessionAccess,
    private readonly catalog: LessonCatalog,
    private readonly engines: DockerEngines,
    private readonly progress: LessonProgressStore,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Runs check `checkId` of the session's lesson. `lang`: the language version the page shows (its
   * hint comes in that language), else the event's language for an attendee's session, else the
   * catalog's default; check ids are the same in every version of a lesson.
   */
  async run(viewer: Viewer, sessionId: string, checkId: string, lang?: string): Promise<TCheckResult> {
    const session = await this.access.session(viewer, sessionId);
    const lessonId = session.lessonId;
    if (!lessonId) throw new AppError("not_found", "This session has no lesson, so it has no checks");
    const eventLang = session.event?.language;
    const fallback = eventLang && this.catalog.get(lessonId).languages.includes(eventLang) ? eventLang : undefined;
    const lesson = this.catalog.get(lessonId, lang ?? fallback);
    const secrets = this.catalog.secrets(lessonId, lesson.lang);
    const check = Object.hasOwn(secrets.checks, checkId) ? secrets.checks[checkId] : undefined;
    if (!check) throw new AppError("not_found", `Lesson "${lessonId}" has no check "${checkId}"`);
    const node = usableNode(session, check.node, "check");
    if (this.running.has(session.id)) {
      throw new AppError("check_in_progress", "A check is already running in this session; wait for its result");
    }
    this.running.add(session.id);
    const started = performance.now();
    try {
      const tail = new OutputTail();
      const engine = await this.engines.forSession(session.id);
      const { exitCode, timedOut } = await engine.runScript(node.containerId!, check.script, {
        timeoutSeconds: check.timeoutSeconds,
        onOutput: (chunk) => tail.push(chunk),
      });
      const durationMs = Math.round(performance.now() - started);
      const passed = exitCode === 0 && !timedOut;
      this.metrics.lessonCheck(passed ? "passed" : timedOut ? "timed_out" : "failed");
      this.logger.debug(`Check ${checkId} of session ${session.id}: exit ${exitCode}${timedOut ? " (timed out)" : ""}`);
      const progress = passed
        ? await this.progress.pass(session.ownerId!, lesson, check.step, checkId)
        : await this.progress.get(session.ownerId!, lessonId);
      return {
        checkId,
        passed,
        timedOut,
        exitCode,
        ...tail.text(),
        durationMs,
        hintHtml: passed ? null : (secrets.hints[check.step] ?? null),
        progress,
      };
    } finally {
      this.running.delete(session.id);
    }
  }

  /** Judges an answer to quiz `quizId`; the explanation comes only with a right answer. */
  async answer(
    viewer: Viewer,
    lessonId: string,
    quizId: string,
    answer: TQuizAnswer,
    lang?: string,
  ): Promise<TQuizResult> {
    const lesson = this.catalog.get(lessonId, lang);
    const secrets = this.catalog.secrets(lessonId, lesson.lang);
    const quiz = Object.hasOwn(secrets.quizzes, quizId) ? secrets.quizzes[quizId] : undefined;
    if (!quiz) throw new AppError("not_found", `Lesson "${lessonId}" has no quiz "${quizId}"`);
    const choices = choiceCount(lesson, quiz.step, quizId);
    if (answer.choices.some((choice) => choice >= choices)) {
      throw new AppError("bad_request", `This quiz has ${choices} choices (0-${choices - 1})`);
    }
    const correct =
      answer.choices.length === quiz.correct.length && answer.choices.every((choice, i) => choice === quiz.correct[i]);
    const progress = correct
      ? await this.progress.pass(viewer.id, lesson, quiz.step, quizId)
      : await this.progress.get(viewer.id, lessonId);
    return { quizId, correct, explanationHtml: correct ? quiz.explanationHtml : null, progress };
  }
}

function choiceCount(lesson: TLesson, step: number, quizId: string): number {
  return lesson.steps[step]?.quizzes.find((quiz) => quiz.id === quizId)?.choices.length ?? 0;
}
