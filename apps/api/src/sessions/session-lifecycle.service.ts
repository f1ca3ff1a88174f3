import { setTimeout as sleep } from "node:timers/promises";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { sessionStatusesLeadingTo, type TSessionStatus } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { Metrics } from "../metrics/metrics.service";
import type { Prisma } from "../generated/prisma/client";
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

/** What a claim makes of a pooled session: its owner's, for their lesson, from now on. */
export interface PoolClaim {
  instanceId: string;
  poolKey: string;
  /** The node names the lesson needs; only a pooled session with exactly these is taken. */
  nodes: readonly string[];
  ownerId: string;
  lessonId: string | null;
  requestedImage: string | null;
  now: Date;
  expiresAt: Date;
}

type Db = PrismaService | Prisma.TransactionClient;

interface InFlight {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The one home of session status changes: (queued →) provisioning → ready (or → pooled → ready when
 * the warm pool built it and a user claimed it), → failed, → ending → ended, queued → ended (see
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
    private readonly metrics: Metrics,
  ) {}

  /**
   * Builds a new session's nodes in the background; never throws (a failure fails the session).
   * `becomes`: "ready" for its owner, "pooled" for the warm pool (no owner yet).
   */
  provision(session: LabSessionWithNodes, becomes: "ready" | "pooled" = "ready"): void {
    const abort = new AbortController();
    const kind = becomes === "pooled" ? "pool_build" : "cold";
    const started = performance.now();
    const done = this.provisioner
      .build(session, abort.signal, (node) => this.nodeStarted(session.id, node))
      .then(() => (becomes === "pooled" ? this.markPooled(session.id) : this.markReady(session.id)))
      .then(() => this.metrics.provisioned(kind, (performance.now() - started) / 1000))
      .catch(async (error: unknown) => {
        this.metrics.provisionFailed(kind);
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

  /**
   * Hands the oldest pooled session of `poolKey` with the claim's nodes to its new owner (pooled →
   * ready), inside the caller's transaction; null when there is none. Row-locked and conditional, so
   * no two claims (nor a claim and a pool replacement) ever get the same session. createdAt,
   * readyAt and expiresAt become the claim's: the session's time starts now.
   */
  async claim(tx: Prisma.TransactionClient, claim: PoolClaim): Promise<string | null> {
    const nodes = [...claim.nodes].sort();
    const rows = await tx.$queryRaw<{ id: string }[]>`
      UPDATE lab_sessions
      SET status = 'ready', owner_id = ${claim.ownerId}::uuid, lesson_id = ${claim.lessonId},
          requested_image = ${claim.requestedImage}, created_at = ${claim.now}, ready_at = ${claim.now},
          expires_at = ${claim.expiresAt}
      WHERE status = 'pooled' AND id = (
        SELECT s.id FROM lab_sessions s
        WHERE s.instance_id = ${claim.instanceId} AND s.status = 'pooled' AND s.pool_key = ${claim.poolKey}
          AND s.owner_id IS NULL
          AND ARRAY(SELECT n.name FROM lab_nodes n WHERE n.session_id = s.id ORDER BY n.name) = ${nodes}::text[]
        ORDER BY s.pooled_at, s.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id`;
    return rows[0]?.id ?? null;
  }

  /** After the commit of a claim: the session is its owner's and ready (lesson setup starts). */
  claimed(sessionId: string): void {
    this.events.emitReady(sessionId);
  }

  /**
   * Inside the caller's transaction: moves the oldest pooled session (of any pool) to ending, so a
   * user's session can have its place under MAX_SESSIONS. Returns its id (the caller finishes it
   * with finishEnding after the commit), or null when nothing is pooled.
   */
  async evictPooled(tx: Prisma.TransactionClient, instanceId: string): Promise<string | null> {
    const victim = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM lab_sessions WHERE instance_id = ${instanceId} AND status = 'pooled'
      ORDER BY pooled_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`;
    const id = victim[0]?.id;
    if (!id) return null;
    return (await this.move(id, "ending", toReasonColumns({ code: "pool_evicted" }), ["pooled"], tx)) ? id : null;
  }

  /**
   * Ends a session only while it is still pooled (replaced, or the pool shrank): a session a user
   * claimed meanwhile is left alone. False when it was no longer pooled.
   */
  async endPooled(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    if (!(await this.move(sessionId, "ending", toReasonColumns(reason), ["pooled"]))) return false;
    await this.finish(sessionId, reason);
    return true;
  }

  /**
   * Inside the caller's transaction (SessionQueue, under the quota lock): a queued session gets its
   * place (queued → provisioning). Its time starts now: createdAt and expiresAt become the
   * promotion's. False when it is no longer queued (it left meanwhile).
   */
  async promote(tx: Prisma.TransactionClient, sessionId: string, now: Date, expiresAt: Date): Promise<boolean> {
    return this.move(sessionId, "provisioning", { createdAt: now, expiresAt }, ["queued"], tx);
  }

  /** Marks a provisioning or ready session failed and frees its Docker objects; no-op otherwise. */
  async fail(sessionId: string, reason: SessionFailureReason): Promise<void> {
    if (!(await this.move(sessionId, "failed", { ...toReasonColumns(reason), endedAt: new Date() }))) return;
    this.events.emitPlaceFreed();
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
   * A session already `ending` (its ender died or gave up) is finished with its own reason. A queued
   * session leaves the queue: it goes straight to ended, having nothing to clean up.
   */
  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    if (await this.leaveQueue(sessionId, reason)) return;
    if (await this.move(sessionId, "ending", toReasonColumns(reason))) await this.finish(sessionId, reason);
    else await this.finishEnding(sessionId);
  }

  /** Ends the session only while it is queued (queued → ended); false when it was not queued. */
  async leaveQueue(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    if (!(await this.move(sessionId, "ended", { ...toReasonColumns(reason), endedAt: new Date() }, ["queued"]))) {
      return false;
    }
    this.logger.log(`Session ${sessionId} left the queue (${reasonText(reason)})`);
    return true;
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
    if (await this.move(sessionId, "ended", { endedAt: new Date() }, ["ending"])) this.events.emitPlaceFreed();
    this.logger.log(`Session ${sessionId} ended (${reasonText(reason)})`);
  }

  private async markReady(sessionId: string): Promise<void> {
    if (!(await this.move(sessionId, "ready", { readyAt: new Date() }, ["provisioning"]))) {
      throw new SessionFailure({ code: "provision_error", detail: "session ended while it was being created" });
    }
    this.logger.log(`Session ${sessionId} ready`);
    this.events.emitReady(sessionId);
  }

  private async markPooled(sessionId: string): Promise<void> {
    const now = new Date();
    if (!(await this.move(sessionId, "pooled", { readyAt: now, pooledAt: now }))) {
      throw new SessionFailure({ code: "provision_error", detail: "session ended while it was being created" });
    }
    this.logger.log(`Session ${sessionId} pooled`);
  }

  private async nodeStarted(sessionId: string, node: StartedNode): Promise<void> {
    await this.prisma.labNode.update({
      where: { sessionId_name: { sessionId, name: node.name } },
      data: { status: "running", containerId: node.containerId, ip: node.ip },
    });
  }

  // The one place lab_sessions.status is written (with claim's SQL); false when the session was not
  // in a status `to` may follow. `only` narrows those statuses further.
  private async move(
    sessionId: string,
    to: TSessionStatus,
    data: {
      endedAt?: Date;
      readyAt?: Date;
      pooledAt?: Date;
      createdAt?: Date;
      expiresAt?: Date;
    } & Partial<SessionReasonColumns>,
    only?: readonly TSessionStatus[],
    db: Db = this.prisma,
  ): Promise<boolean> {
    const from = sessionStatusesLeadingTo(to).filter((status) => !only || only.includes(status));
    const changed = await db.labSession.updateMany({
      where: { id: sessionId, status: { in: from } },
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
