import { Injectable } from "@nestjs/common";
import type { TAuditEntry, TAuditList, TAuditQuery } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import type { AuditLog as AuditRow, Prisma } from "../generated/prisma/client";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What admins read of the audit log: filtered pages, newest first, with the actors' names. */
@Injectable()
export class AuditQuery {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: TAuditQuery): Promise<TAuditList> {
    const where = await this.where(query);
    const rows = await this.prisma.auditLog.findMany({
      where,
      // Newest first; id breaks ties so cursor pages never skip or repeat.
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: query.limit + 1,
      ...(query.cursor ? { cursor: { id: BigInt(query.cursor) }, skip: 1 } : {}),
    });
    const page = rows.slice(0, query.limit);
    return {
      entries: await this.views(page),
      nextCursor: rows.length > query.limit ? (page.at(-1)?.id.toString() ?? null) : null,
    };
  }

  async get(id: string): Promise<TAuditEntry> {
    const row = /^[1-9][0-9]{0,18}$/.test(id)
      ? await this.prisma.auditLog.findUnique({ where: { id: BigInt(id) } })
      : null;
    if (!row) throw new AppError("not_found", "No such audit entry");
    const [view] = await this.views([row]);
    return view!;
  }

  private async where(query: TAuditQuery): Promise<Prisma.AuditLogWhereInput> {
    const where: Prisma.AuditLogWhereInput = {};
    if (query.action) where.action = query.action.endsWith(".") ? { startsWith: query.action } : query.action;
    if (query.actor) {
      if (UUID.test(query.actor)) where.actorId = query.actor.toLowerCase();
      else {
        const contains = { contains: query.actor, mode: "insensitive" as const };
        const users = await this.prisma.user.findMany({
          where: { OR: [{ name: contains }, { login: contains }] },
          select: { id: true },
          take: 500,
        });
        where.actorId = { in: users.map((u) => u.id) };
      }
    }
    if (query.target) {
      const colon = query.target.indexOf(":");
      if (colon < 0) where.targetType = query.target;
      else {
        where.targetType = query.target.slice(0, colon);
        where.targetId = query.target.slice(colon + 1);
      }
    }
    if (query.from || query.to) {
      where.createdAt = {
        ...(query.from ? { gte: new Date(query.from) } : {}),
        ...(query.to ? { lt: new Date(query.to) } : {}),
      };
    }
    return where;
  }

  private async views(rows: AuditRow[]): Promise<TAuditEntry[]> {
    const actorIds = [...new Set(rows.flatMap((r) => (r.actorId ? [r.actorId] : [])))];
    const actors = new Map(
      (
        await this.prisma.user.findMany({
          where: { id: { in: actorIds } },
          select: { id: true, name: true, login: true, provider: true },
        })
      ).map((u) => [u.id, u]),
    );
    return rows.map((row) => {
      const actor = row.actorId ? actors.get(row.actorId) : undefined;
      return {
        id: row.id.toString(),
        createdAt: row.createdAt.toISOString(),
        action: row.action,
        actor: row.actorId
          ? {
              id: row.actorId,
              name: actor?.name ?? null,
              login: actor?.login ?? null,
              provider: actor?.provider ?? null,
            }
          : null,
        targetType: row.targetType,
        targetId: row.targetId,
        detail: isObject(row.detail) ? row.detail : {},
        clientAddress: row.clientAddress,
      };
    });
  }
}

function isObject(value: Prisma.JsonValue): value is Prisma.JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
