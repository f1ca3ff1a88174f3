import { Inject, Injectable, Logger } from "@nestjs/common";
import {
  ENDABLE_SESSION_STATUSES,
  isSessionStatusIn,
  OPEN_SESSION_STATUSES,
  type TAdminSession,
  type TAdminSessionList,
  type TAdminSessionQuery,
  type THostSummary,
} from "@kubelab/shared";
import { statfs } from "node:fs/promises";
import os from "node:os";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { Prisma, User } from "../generated/prisma/client";
import { DockerEngine } from "../nodes/docker-engine.adapter";
import { NodeStatsSampler } from "../nodes/node-stats.sampler";
import { SettingsService } from "../settings/settings.service";
import { SESSION_ID } from "../access/session-access.service";
import { NodeDiskMonitor } from "./node-disk.monitor";
import { NodeUsage } from "./node-usage";
import { SessionLifecycle } from "./session-lifecycle.service";
import { sortSessions, sumOf } from "./admin-session-sort";

const ADMIN_SESSION_INCLUDE = {
  nodes: { select: { name: true, status: true } },
  owner: { select: { id: true, name: true, login: true } },
  event: { select: { id: true, title: true } },
} as const satisfies Prisma.LabSessionInclude;

type AdminSessionRow = Prisma.LabSessionGetPayload<{ include: typeof ADMIN_SESSION_INCLUDE }>;

/**
 * /admin/sessions: every session not yet ended on this instance, with its nodes' latest use
 * (NodeUsage: in memory, no engine call per request), a host summary, and an admin's end and
 * extend of any session (audited before they take effect).
 */
@Injectable()
export class AdminSessions {
  private readonly logger = new Logger("AdminSessions");

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly usage: NodeUsage,
    private readonly stats: NodeStatsSampler,
    private readonly disk: NodeDiskMonitor,
    private readonly engine: DockerEngine,
    private readonly audit: AuditLog,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(query: TAdminSessionQuery): Promise<TAdminSessionList> {
    const q = query.q;
    const rows = await this.prisma.labSession.findMany({
      where: {
        instanceId: this.config.instanceId,
        status: query.status ?? { not: "ended" },
        ...(q
          ? {
              OR: [
                { id: { startsWith: q.toLowerCase() } },
                { lessonId: { contains: q, mode: "insensitive" } },
                { owner: { name: { contains: q, mode: "insensitive" } } },
                { owner: { login: { contains: q, mode: "insensitive" } } },
                { event: { title: { contains: q, mode: "insensitive" } } },
              ],
            }
          : {}),
      },
      include: ADMIN_SESSION_INCLUDE,
      orderBy: { createdAt: "asc" },
      take: 1000,
    });
    const sessions = rows.map((row) => this.view(row));
    return { sessions: sortSessions(sessions, query.sort), host: await this.host() };
  }

  /** Ends any session not ended yet (reason ended_by_admin); a no-op on one already ended. */
  async end(admin: User, sessionId: string, address: string): Promise<void> {
    const session = await this.find(sessionId);
    if (!isSessionStatusIn(ENDABLE_SESSION_STATUSES, session.status)) return;
    await this.audit.record({
      actorId: admin.id,
      action: AUDIT_ACTIONS.sessionEndedByAdmin,
      targetType: "session",
      targetId: session.id,
      detail: {
        ownerId: session.ownerId,
        eventId: session.eventId,
        before: { status: session.status },
        after: { status: "ended", reason: "ended_by_admin" },
      },
      clientAddress: address,
    });
    await this.lifecycle.end(session.id, { code: "ended_by_admin" });
    this.logger.log(`Session ${session.id} ended by admin ${admin.id}`);
  }

  /**
   * Gives a running session `minutes` more (SESSION_EXTENSION by default). An admin is not held to
   * the attendee's extension count nor SESSION_MAX_DURATION, only to the end of the session's event.
   */
  async extend(admin: User, sessionId: string, minutes: number | undefined, address: string): Promise<TAdminSession> {
    const session = await this.find(sessionId);
    if (!isSessionStatusIn(OPEN_SESSION_STATUSES, session.status)) {
      throw new AppError("session_not_active", `This session is ${session.status} and cannot be extended`);
    }
    const event = session.eventId
      ? await this.prisma.event.findUnique({ where: { id: session.eventId }, select: { endsAt: true } })
      : null;
    const seconds = minutes === undefined ? this.settings.current().extensionSeconds : minutes * 60;
    const expiresAt = new Date(
      Math.min(session.expiresAt.getTime() + seconds * 1000, event?.endsAt.getTime() ?? Number.POSITIVE_INFINITY),
    );
    if (expiresAt <= session.expiresAt) {
      throw new AppError("extension_limit", "This session already runs until its event ends");
    }
    await this.audit.record({
      actorId: admin.id,
      action: AUDIT_ACTIONS.sessionExtendedByAdmin,
      targetType: "session",
      targetId: session.id,
      detail: {
        ownerId: session.ownerId,
        eventId: session.eventId,
        before: { expiresAt: session.expiresAt.toISOString() },
        after: { expiresAt: expiresAt.toISOString() },
      },
      clientAddress: address,
    });
    // Conditional on the value read, so a concurrent extension (the attendee's) is not overwritten.
    const changed = await this.prisma.labSession.updateMany({
      where: { id: session.id, expiresAt: session.expiresAt, status: { in: [...OPEN_SESSION_STATUSES] } },
      data: { expiresAt },
    });
    if (changed.count === 0) throw new AppError("conflict", "The session changed meanwhile; try again");
    this.logger.log(`Session ${session.id} extended to ${expiresAt.toISOString()} by admin ${admin.id}`);
    return this.view(await this.find(session.id));
  }

  private async find(sessionId: string): Promise<AdminSessionRow> {
    const session = SESSION_ID.test(sessionId)
      ? await this.prisma.labSession.findFirst({
          where: { id: sessionId, instanceId: this.config.instanceId },
          include: ADMIN_SESSION_INCLUDE,
        })
      : null;
    if (!session) throw new AppError("not_found", "No such session");
    return session;
  }

  private view(row: AdminSessionRow): TAdminSession {
    return {
      id: row.id,
      status: row.status,
      owner: row.owner,
      event: row.event,
      lesson: row.lessonId,
      image: row.image,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      extensions: row.extensions,
      nodes: this.usage.of(row.id, row.nodes),
    };
  }

  private async host(): Promise<THostSummary> {
    const [counts, engine] = await Promise.all([
      this.prisma.labSession.groupBy({
        by: ["status"],
        where: { instanceId: this.config.instanceId, status: { in: ["queued", "pooled", "provisioning", "ready"] } },
        _count: { _all: true },
      }),
      this.stats.host(),
    ]);
    const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
    const samples = await this.prisma.labNode.findMany({
      where: { session: { instanceId: this.config.instanceId, status: { in: ["provisioning", "pooled", "ready"] } } },
      select: { sessionId: true, name: true },
    });
    let dataRoot = this.disk.latest().dataRoot;
    // No probe (no live session, or not overlay2): the data root as this host sees it, when it is local.
    if (!dataRoot && engine?.dataRoot && this.engine.isLocal) {
      dataRoot = await statfs(engine.dataRoot)
        .then((s) => ({ freeBytes: s.bavail * s.bsize, sizeBytes: s.blocks * s.bsize }))
        .catch(() => undefined);
    }
    return {
      sessions: { pooled: count("pooled"), owned: count("provisioning") + count("ready"), queued: count("queued") },
      nodeMemoryBytes: sumOf(samples.map((n) => this.stats.latest(n.sessionId, n.name)?.memoryBytes ?? null)),
      hostMemoryBytes: engine?.memoryBytes ?? null,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      cpus: engine?.cpus ?? null,
      engineVersion: engine?.version ?? null,
      dataRoot: engine?.dataRoot ?? null,
      dataRootFreeBytes: dataRoot?.freeBytes ?? null,
      dataRootSizeBytes: dataRoot?.sizeBytes ?? null,
      sampledAt: this.stats.sampledAt()?.toISOString() ?? null,
    };
  }
}
