import { Injectable, Logger } from "@nestjs/common";
import {
  ENDABLE_SESSION_STATUSES,
  LIVE_SESSION_STATUSES,
  type TAdminUser,
  type TAdminUserList,
  type TAdminUserUpdate,
  type TUserRole,
} from "@kubelab/shared";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import type { AuditAction } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import type { Prisma, User } from "../generated/prisma/client";
import { SessionLifecycle } from "../sessions/session-lifecycle.service";

type UserWithCount = User & { _count: { labSessions: number } };

export interface AdminUserFilter {
  q?: string;
  role?: TUserRole;
  banned?: "true" | "false";
  limit: number;
  cursor?: string;
}

/** What admins do to users: look them up, change roles, ban and unban. */
@Injectable()
export class AdminUsersService {
  private readonly logger = new Logger("AdminUsers");

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly audit: AuditLog,
  ) {}

  async list(filter: AdminUserFilter): Promise<TAdminUserList> {
    const where: Prisma.UserWhereInput = {};
    if (filter.role) where.role = filter.role;
    if (filter.banned) where.bannedAt = filter.banned === "true" ? { not: null } : null;
    if (filter.q) {
      const contains = { contains: filter.q, mode: "insensitive" as const };
      where.OR = [{ name: contains }, { login: contains }, { email: contains }];
    }
    const rows = await this.prisma.user.findMany({
      where,
      // Newest first; id breaks ties so cursor pages never skip or repeat.
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: filter.limit + 1,
      ...(filter.cursor ? { cursor: { id: filter.cursor }, skip: 1 } : {}),
      include: this.countActive(),
    });
    const page = rows.slice(0, filter.limit);
    return {
      users: page.map((row) => this.view(row)),
      nextCursor: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  async get(id: string): Promise<TAdminUser> {
    return this.view(await this.find(id));
  }

  /** Each real change is audited (before it takes effect) with the user's value before and after. */
  async update(admin: User, id: string, change: TAdminUserUpdate, address: string): Promise<TAdminUser> {
    // An admin who demotes or bans themselves may leave nobody able to undo it (their own session
    // quota is harmless).
    if (id === admin.id && (change.role !== undefined || change.banned !== undefined))
      throw new AppError("cannot_modify_self", "Admins cannot change their own role or ban themselves");
    const target = await this.find(id);
    const data: Prisma.UserUpdateInput = {};
    // Applies from the user's next create; sessions already running stay.
    if (change.maxSessions !== undefined && change.maxSessions !== target.maxSessions) {
      data.maxSessions = change.maxSessions;
      await this.audit.record({
        actorId: admin.id,
        action: AUDIT_ACTIONS.userMaxSessionsChanged,
        targetType: "user",
        targetId: id,
        detail: { before: { maxSessions: target.maxSessions }, after: { maxSessions: change.maxSessions } },
        clientAddress: address,
      });
    }
    if (change.role !== undefined) data.role = change.role;
    if (change.banned === true && !target.bannedAt) data.bannedAt = new Date();
    if (change.banned === false) data.bannedAt = null;
    const record = (action: AuditAction, before: Prisma.InputJsonObject, after: Prisma.InputJsonObject) =>
      this.audit.record({
        actorId: admin.id,
        action,
        targetType: "user",
        targetId: id,
        detail: { name: target.name, before, after },
        clientAddress: address,
      });
    if (change.role !== undefined && change.role !== target.role) {
      await record(AUDIT_ACTIONS.userRoleChanged, { role: target.role }, { role: change.role });
    }
    if (data.bannedAt instanceof Date) {
      await record(AUDIT_ACTIONS.userBanned, { bannedAt: null }, { bannedAt: data.bannedAt.toISOString() });
    }
    if (data.bannedAt === null && target.bannedAt) {
      await record(AUDIT_ACTIONS.userUnbanned, { bannedAt: target.bannedAt.toISOString() }, { bannedAt: null });
    }
    await this.prisma.user.update({ where: { id }, data });
    if (change.banned === true) await this.endEverything(id);
    this.logger.log(`${admin.name} (${admin.id}) changed user ${id}: ${JSON.stringify(change)}`);
    return this.get(id);
  }

  /** A banned user's logins end at once, and so do their lab sessions (terminals close with 4001). */
  private async endEverything(userId: string): Promise<void> {
    await this.prisma.loginSession.deleteMany({ where: { userId } });
    const active = await this.prisma.labSession.findMany({
      where: { ownerId: userId, status: { in: [...ENDABLE_SESSION_STATUSES] } },
      select: { id: true },
    });
    await Promise.all(active.map((session) => this.lifecycle.end(session.id, { code: "owner_banned" })));
  }

  private async find(id: string): Promise<UserWithCount> {
    const user = /^[0-9a-f-]{36}$/.test(id)
      ? await this.prisma.user.findUnique({ where: { id }, include: this.countActive() })
      : null;
    if (!user) throw new AppError("not_found", "No such user");
    return user;
  }

  // "Active" as the quotas count it: an ending session still holds its slot.
  private countActive() {
    return { _count: { select: { labSessions: { where: { status: { in: [...LIVE_SESSION_STATUSES] } } } } } };
  }

  private view(user: UserWithCount): TAdminUser {
    return {
      id: user.id,
      provider: user.provider,
      providerId: user.providerId,
      name: user.name,
      login: user.login,
      email: user.email,
      avatarUrl: user.avatarUrl,
      role: user.role,
      bannedAt: user.bannedAt?.toISOString() ?? null,
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
      activeSessions: user._count.labSessions,
      maxSessions: user.maxSessions,
    };
  }
}
