import { Injectable } from "@nestjs/common";
import { PrismaService } from "../database/prisma.service";
import type { Prisma } from "../generated/prisma/client";
import type { AuditAction } from "./audit-actions";

export interface AuditEntry {
  /** Who did it; null for the server itself. */
  actorId: string | null;
  action: AuditAction;
  /** What it was done to, e.g. "session" and the session's id. */
  targetType: string;
  targetId: string;
  /** The specifics (event, node, terminal, why it was allowed). */
  detail?: Prisma.InputJsonObject;
  /** The actor's address (behind TRUSTED_PROXIES, the one the proxy saw). */
  clientAddress?: string | null;
}

/**
 * The audit log (table audit_log): adding entries is all the server does with it. The table itself
 * refuses updates and deletes (a trigger), so an entry stays as written.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly prisma: PrismaService) {}

  /** Writes the entry; callers await it before the recorded action takes effect. */
  async record(entry: AuditEntry): Promise<void> {
    await this.prisma.auditLog.create({
      data: {
        actorId: entry.actorId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        detail: entry.detail ?? {},
        clientAddress: entry.clientAddress ?? null,
      },
    });
  }
}
