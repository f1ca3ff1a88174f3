import { setTimeout as sleep } from "node:timers/promises";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { sessionStatusesLeadingTo, type TSessionStatus } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { SessionEvents } from "./session-events";
import { SessionProvisioner, type StartedNode } from "./session-provisioner.service";
import {
  endReasonOf,
  reasonText,
  SessionFailure,
  toFailureReason,
  toReasonColumns,
  type SessionEndReason,
  type SessionFailureReason,
  type SessionReasonColumns,
} from "./session-reason";
import type { LabSessionWithNodes } from "./session-view";

interface InFlight {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The one home of session status changes: provisioning → ready, → failed, → ending → ended (see
 * SESSION_TRANSITIONS in packages/shared and the diagram in docs/architecture.md). Every change is a
 * conditional update from the statuses the table allows, so a delete, an expiry, a node death and
 * provisioning racing each other end in one consistent state; the matching lab_nodes changes and
 * the "stopped" event go with it. Callers (sessions API, reaper, reconciler, monitors, admin) only
 * call in; the provisioner below does the Docker work and knows nothing of statuses.
 */
@Injectable()
export class SessionLifecycle {
  private readonly logger = new Logger("SessionLifecycle");
  private readonly provisioning = new Map<string, InFlight>();
  // Cleanups in progress: one per session, however many callers end it.
  private readonly cleaning = new Map<string, Promise<boolean>>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly provisioner: SessionProvisioner,
    private readonly events: SessionEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Builds a new session's nodes in the background; never throws (a failure fails the session). */
  provision(session: LabSessionWithNodes): void {
    const abort = new AbortController();
    const done = this.provisioner
      .build(session, abort.signal, (node) => this.nodeStarted(session.id, node))
      .then(() => this.markReady(session.id))
      .catch(async (error: unknown) => {
        const reason = toFailureReason(abort.signal.aborted ? abort.signal.reason : error);
        this.logger.warn(`Session ${session.id} failed: ${reasonText(reason)}`);
        await this.fail(session.id, reason);
      })
      .catch((error: unknown) => this.logger.error(`Cleanup of session ${session.id} failed`, (error as Error).stack))
      .finally(() => this.provisioning.delete(session.id));
    this.provisioning.set(session.id, { abort, done });
  }

  /** At shutdown: half-built sessions are failed and cleaned up rather than left behind. */
  async cancelAll(): Promise<void> {
    const ids = [...this.provisioning.keys()];
    await Promise.all(ids.map((id) => this.cancel(id, { code: "server_shutdown" })));
  }

  /** Whether this process is creating or removing the session (so a sweep leaves it alone). */
  isBusy(sessionId: string): boolean {
    return this.provisioning.has(sessionId) || this.cleaning.has(sessionId);
  }

  /** Marks a provisioning or ready session failed and frees its Docker objects; no-op otherwise. */
  async fail(sessionId: string, reason: SessionFailureReason): Promise<void> {
    if (!(await this.move(sessionId, "failed", { ...toReasonColumns(reason), endedAt: new Date() }))) return;
    this.events.emitStopped({ sessionId, outcome: "failed", code: reason.code, reason: reasonText(reason) });
    await this.provisioner
      .removeDockerObjects(sessionId)
      .catch((error: unknown) =>
        this.logger.warn(`Session ${sessionId}: cleanup failed (${(error as Error).message}); the reaper will retry`),
      );
    await this.prisma.labNode.updateMany({ where: { sessionId }, data: { status: "failed" } });
  }

  /**
   * Ends a session: no new work starts on it, its Docker objects go, and it is recorded as ended.
   * Docker gets DOCKER_TIMEOUT for the cleanup; after that the session is recorded as ended anyway
   * (it stops counting against quotas) and the reaper's sweep removes whatever is left of it.
   * A session already `ending` (its ender died or gave up) is finished with its own reason.
   */
  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    if (await this.move(sessionId, "ending", toReasonColumns(reason))) await this.finish(sessionId, reason);
    else await this.finishEnding(sessionId);
  }

  /** Finishes a session left `ending` (its cleanup failed, or the process ending it died), with its own reason. */
  async finishEnding(sessionId: string): Promise<void> {
    const current = await this.prisma.labSession.findUnique({
      where: { id: sessionId },
      select: { status: true, statusReason: true },
    });
    if (current?.status === "ending") await this.finish(sessionId, endReasonOf(current));
  }

  private async finish(sessionId: string, reason: SessionEndReason): Promise<void> {
    this.events.emitStopped({ sessionId, outcome: "ended", code: reason.code, reason: reasonText(reason) });
    let cleanup = this.cleaning.get(sessionId);
    if (!cleanup) {
      cleanup = this.cleanUp(sessionId).finally(() => this.cleaning.delete(sessionId));
      this.cleaning.set(sessionId, cleanup);
    }
    const patience = new AbortController();
    const cleaned = await Promise.race([
      cleanup,
      sleep(this.config.docker.callTimeoutSeconds * 1000, false, { signal: patience.signal }),
    ]).finally(() => patience.abort());
    if (!cleaned) this.logger.warn(`Session ${sessionId}: Docker objects not removed yet; the reaper will retry`);
    await this.move(sessionId, "ended", { endedAt: new Date() });
    this.logger.log(`Session ${sessionId} ended (${reasonText(reason)})`);
  }

  private async markReady(sessionId: string): Promise<void> {
    if (!(await this.move(sessionId, "ready", { readyAt: new Date() }))) {
      throw new SessionFailure({ code: "provision_error", detail: "session ended while it was being created" });
    }
    this.logger.log(`Session ${sessionId} ready`);
  }

  private async nodeStarted(sessionId: string, node: StartedNode): Promise<void> {
    await this.prisma.labNode.update({
      where: { sessionId_name: { sessionId, name: node.name } },
      data: { status: "running", containerId: node.containerId, ip: node.ip },
    });
  }

  // The one place lab_sessions.status is written; false when the session was not in a status `to` may follow.
  private async move(
    sessionId: string,
    to: TSessionStatus,
    data: { endedAt?: Date; readyAt?: Date } & Partial<SessionReasonColumns>,
  ): Promise<boolean> {
    const changed = await this.prisma.labSession.updateMany({
      where: { id: sessionId, status: { in: sessionStatusesLeadingTo(to) } },
      data: { ...data, status: to },
    });
    return changed.count > 0;
  }

  /** Stops any provisioning of the session and waits until it has let go of it. */
  private async cancel(sessionId: string, reason: SessionFailureReason): Promise<void> {
    const running = this.provisioning.get(sessionId);
    if (!running) return;
    running.abort.abort(new SessionFailure(reason));
    await running.done;
  }

  // Never rejects: true when everything is gone, false when something is left for the sweep.
  private async cleanUp(sessionId: string): Promise<boolean> {
    try {
      await this.cancel(sessionId, {
        code: "provision_error",
        detail: "the session was ended while it was being created",
      });
      await this.provisioner.removeDockerObjects(sessionId);
      await this.prisma.labNode.updateMany({ where: { sessionId }, data: { status: "removed" } });
      return true;
    } catch (error) {
      this.logger.warn(`Session ${sessionId}: cleanup failed (${(error as Error).message}); the reaper will retry`);
      return false;
    }
  }
}
