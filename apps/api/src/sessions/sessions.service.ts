import { randomBytes } from "node:crypto";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { isSessionStatusIn, LIVE_SESSION_STATUSES, OPEN_SESSION_STATUSES, type TSession } from "@kubelab/shared";
import { SessionAccess } from "../access/session-access.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import type { User } from "../generated/prisma/client";
import { SessionImagePicker } from "./session-image-picker";
import { SessionLifecycle } from "./session-lifecycle.service";
import { SessionSubnets } from "./session-subnets.service";
import { SESSION_VIEW_INCLUDE, toSessionView, type LabSessionForView } from "./session-view";

// Session creation takes this transaction-scoped advisory lock, so quota
// checks and the insert are one atomic step across all Kubelab processes.
const QUOTA_LOCK_KEY = 7_345_210_002;
// A classroom clicking "start" at once queues its creates on that lock (and on the 10 pooled
// connections); Prisma's defaults (2 s to get a connection, 5 s in all) turned the tail into 500s.
const CREATE_TRANSACTION = { maxWait: 20_000, timeout: 20_000 };

@Injectable()
export class SessionsService {
  private readonly logger = new Logger("Sessions");

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly access: SessionAccess,
    private readonly images: SessionImagePicker,
    private readonly subnets: SessionSubnets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(user: User, lessonId: string | undefined): Promise<TSession> {
    const { maxPerUser, maxTotal, maxGuestPerAddress, durationSeconds } = this.config.sessions;
    const { nodes, image, requestedImage } = await this.images.pick(lessonId);
    const session = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${QUOTA_LOCK_KEY})`);
      const mine = await tx.labSession.count({
        where: { ownerId: user.id, status: { in: [...LIVE_SESSION_STATUSES] } },
      });
      if (mine >= maxPerUser) {
        throw new AppError(
          "quota_exceeded",
          `You already have ${mine} active lab session${mine === 1 ? "" : "s"} (limit ${maxPerUser}); end one first`,
        );
      }
      // Guests cost nothing to create, so the per-user quota alone would not stop one person.
      if (user.provider === "guest" && user.guestAddress !== null) {
        const fromAddress = await tx.labSession.count({
          where: {
            status: { in: [...LIVE_SESSION_STATUSES] },
            owner: { provider: "guest", guestAddress: user.guestAddress },
          },
        });
        if (fromAddress >= maxGuestPerAddress) {
          throw new AppError(
            "guest_address_quota",
            `Guests from your network may run ${maxGuestPerAddress} lab session${maxGuestPerAddress === 1 ? "" : "s"} ` +
              `at a time and ${fromAddress} ${fromAddress === 1 ? "is" : "are"} running; end one of them first, or try again later`,
          );
        }
      }
      const total = await tx.labSession.count({
        where: { instanceId: this.config.instanceId, status: { in: [...LIVE_SESSION_STATUSES] } },
      });
      if (total >= maxTotal) {
        throw new AppError("no_capacity", "All lab slots are in use right now; try again in a few minutes");
      }
      const now = Date.now();
      const created = await tx.labSession.create({
        data: {
          id: randomBytes(16).toString("hex"),
          ownerId: user.id,
          instanceId: this.config.instanceId,
          lessonId: lessonId ?? null,
          image,
          requestedImage,
          createdAt: new Date(now),
          expiresAt: new Date(now + durationSeconds * 1000),
          nodes: { create: nodes.map((name) => ({ name })) },
        },
        include: SESSION_VIEW_INCLUDE,
      });
      // Its network's block of NODE_SUBNETS; none left is no_capacity, and nothing of this create stays.
      await this.subnets.allocate(tx, created.id);
      return created;
    }, CREATE_TRANSACTION);
    this.logger.log(`Session ${session.id} created for user ${user.id}`);
    this.lifecycle.provision(session);
    return this.view(session);
  }

  async list(user: User): Promise<TSession[]> {
    const sessions = await this.prisma.labSession.findMany({
      where: { ownerId: user.id, status: { not: "ended" } },
      include: SESSION_VIEW_INCLUDE,
      orderBy: { createdAt: "desc" },
    });
    return sessions.map((s) => this.view(s));
  }

  async get(user: User, sessionId: string): Promise<TSession> {
    return this.view(await this.access.session(user, sessionId));
  }

  async extend(user: User, sessionId: string): Promise<TSession> {
    const session = await this.access.session(user, sessionId);
    if (!isSessionStatusIn(OPEN_SESSION_STATUSES, session.status)) {
      throw new AppError("session_not_active", `This session is ${session.status} and cannot be extended`);
    }
    const { maxExtensions, extensionSeconds, maxDurationSeconds } = this.config.sessions;
    if (session.extensions >= maxExtensions) {
      throw new AppError(
        "extension_limit",
        `This session was already extended ${session.extensions} times (limit ${maxExtensions})`,
      );
    }
    const latest = session.createdAt.getTime() + maxDurationSeconds * 1000;
    const expiresAt = Math.min(session.expiresAt.getTime() + extensionSeconds * 1000, latest);
    if (expiresAt <= session.expiresAt.getTime()) {
      throw new AppError("extension_limit", "This session already runs for the maximum duration");
    }
    // Conditional on the values read above, so two concurrent extends cannot both count as one.
    const changed = await this.prisma.labSession.updateMany({
      where: { id: session.id, extensions: session.extensions, status: { in: [...OPEN_SESSION_STATUSES] } },
      data: { expiresAt: new Date(expiresAt), extensions: { increment: 1 } },
    });
    if (changed.count === 0) throw new AppError("conflict", "The session changed meanwhile; try again");
    return this.get(user, sessionId);
  }

  async delete(user: User, sessionId: string): Promise<void> {
    const session = await this.access.session(user, sessionId);
    if (session.status === "ended") return;
    await this.lifecycle.end(session.id, { code: "deleted" });
  }

  private view(session: LabSessionForView): TSession {
    return toSessionView(session, this.config.sessions.maxExtensions);
  }
}
