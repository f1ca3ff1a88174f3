import { Injectable, Logger, type OnModuleInit } from "@nestjs/common";
import type { LessonSecrets } from "@kubelab/lessons";
import { PrismaService } from "../database/prisma.service";
import { DockerEngines } from "../nodes/docker-engines.service";
import { SessionEvents } from "../sessions/session-events";
import { SessionNotices } from "../sessions/session-notices.service";
import { LessonCatalog } from "./lesson-catalog.service";
import { OutputTail } from "./lesson-verification";

/** Time limit of one setup or step background script (Killercoda background.sh may install things). */
export const SETUP_SCRIPT_TIMEOUT_SECONDS = 300;

/**
 * The scripts a lesson runs in its session's nodes on its own: `secrets.setup` once the session is
 * ready for its owner (built for them or claimed from a pool; readiness never waits for them), and
 * a step's `stepBackground` the first time the owner's progress reaches that step in this session.
 * One script at a time per session, in order. A failure or time-out is logged and shown to the
 * attendee as a session notice (lesson_setup_failed); the session goes on.
 */
@Injectable()
export class LessonSetup implements OnModuleInit {
  private readonly logger = new Logger("LessonSetup");
  // Per session: the chain of its scripts, and the steps whose background has run (or is queued).
  private readonly chains = new Map<string, Promise<void>>();
  private readonly stepsRun = new Map<string, Set<number>>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly catalog: LessonCatalog,
    private readonly engines: DockerEngines,
    private readonly events: SessionEvents,
    private readonly notices: SessionNotices,
  ) {}

  onModuleInit(): void {
    this.events.onReady((sessionId) => void this.sessionReady(sessionId));
    this.events.onStopped(({ sessionId }) => {
      this.chains.delete(sessionId);
      this.stepsRun.delete(sessionId);
    });
  }

  /** Runs the lesson's setup scripts, then the background of the step the owner is on. */
  private async sessionReady(sessionId: string): Promise<void> {
    try {
      const session = await this.prisma.labSession.findUnique({ where: { id: sessionId } });
      if (!session?.lessonId || !session.ownerId) return;
      const secrets = this.secretsOf(session.lessonId);
      if (!secrets) return;
      for (const script of secrets.setup) this.enqueue(sessionId, script, "setup");
      const progress = await this.prisma.lessonProgress.findUnique({
        where: { userId_lessonId: { userId: session.ownerId, lessonId: session.lessonId } },
        select: { currentStep: true },
      });
      this.runStepBackground(sessionId, secrets, progress?.currentStep ?? 0);
    } catch (error) {
      this.logger.warn(`Lesson setup of session ${sessionId} did not start: ${(error as Error).message}`);
    }
  }

  /** The owner's progress moved to `step` of `lessonId`: its background runs in their ready session of that lesson. */
  async stepReached(userId: string, lessonId: string, step: number): Promise<void> {
    const secrets = this.secretsOf(lessonId);
    if (!secrets || !Object.hasOwn(secrets.stepBackground, step)) return;
    const sessions = await this.prisma.labSession.findMany({
      where: { ownerId: userId, lessonId, status: "ready" },
      select: { id: true },
    });
    for (const { id } of sessions) this.runStepBackground(id, secrets, step);
  }

  private runStepBackground(sessionId: string, secrets: LessonSecrets, step: number): void {
    const script = Object.hasOwn(secrets.stepBackground, step) ? secrets.stepBackground[step] : undefined;
    if (!script) return;
    const done = this.stepsRun.get(sessionId) ?? new Set<number>();
    if (done.has(step)) return;
    done.add(step);
    this.stepsRun.set(sessionId, done);
    this.enqueue(sessionId, script, `step ${step + 1} background`);
  }

  // Scripts are the same in every language version of a lesson (their text is not translated).
  private secretsOf(lessonId: string): LessonSecrets | null {
    try {
      return this.catalog.secrets(lessonId, this.catalog.get(lessonId).lang);
    } catch {
      return null; // a lesson removed from LESSONS_DIR since the session started
    }
  }

  private enqueue(sessionId: string, script: { node: string; script: string }, what: string): void {
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const next = previous.then(() => this.runOne(sessionId, script, what));
    this.chains.set(sessionId, next);
  }

  // Never rejects: a failure is logged and becomes a notice.
  private async runOne(sessionId: string, script: { node: string; script: string }, what: string): Promise<void> {
    const tail = new OutputTail(1024);
    let failure: string | null;
    try {
      const node = await this.prisma.labNode.findUnique({
        where: { sessionId_name: { sessionId, name: script.node } },
        select: { containerId: true, status: true },
      });
      if (!node?.containerId || node.status !== "running") {
        failure = `${script.node} is not running`;
      } else {
        const engine = await this.engines.forSession(sessionId);
        const result = await engine.runScript(node.containerId, script.script, {
          timeoutSeconds: SETUP_SCRIPT_TIMEOUT_SECONDS,
          onOutput: (chunk) => tail.push(chunk),
        });
        failure = result.timedOut
          ? `it ran past ${SETUP_SCRIPT_TIMEOUT_SECONDS} s and was stopped`
          : result.exitCode === 0
            ? null
            : `it exited with ${result.exitCode ?? "an unknown code"}`;
      }
    } catch (error) {
      failure = (error as Error).message;
    }
    if (failure === null) {
      this.logger.log(`Session ${sessionId}: lesson ${what} script in ${script.node} done`);
      return;
    }
    this.logger.warn(
      `Session ${sessionId}: lesson ${what} script in ${script.node} failed: ${failure}; its output ended with: ${tail.text().output.trim()}`,
    );
    await this.notices
      .add(sessionId, { code: "lesson_setup_failed", node: script.node })
      .catch((error: unknown) =>
        this.logger.warn(`Session ${sessionId}: notice not recorded: ${(error as Error).message}`),
      );
  }
}
