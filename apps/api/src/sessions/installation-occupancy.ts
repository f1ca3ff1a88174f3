import { LIVE_SESSION_STATUSES, QUEUED_QUOTA_STATUSES } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import type { PrismaService } from "../database/prisma.service";
import type { Prisma } from "../generated/prisma/client";

// What MAX_SESSIONS and MAX_QUEUE are checked against, counted the same way by user creates, the
// warm pool and the queue. Inside a transaction that holds the quota lock the counts stay true
// until it commits.
type Db = PrismaService | Prisma.TransactionClient;

/** Sessions of the installation that hold a place under MAX_SESSIONS (pooled ones included). */
export function countLiveSessions(db: Db, instanceId: string): Promise<number> {
  return db.labSession.count({ where: { instanceId, status: { in: [...LIVE_SESSION_STATUSES] } } });
}

/** Sessions of the installation waiting in the queue for a place. */
export function countQueuedSessions(db: Db, instanceId: string): Promise<number> {
  return db.labSession.count({ where: { instanceId, status: "queued" } });
}

/**
 * MAX_SESSIONS_PER_USER for a new session of `userId` (a create or an event join, under the quota
 * lock): a queued session counts too, so starting it later never takes its owner past the quota.
 */
export async function assertUserQuota(db: Db, userId: string, maxPerUser: number): Promise<void> {
  const mine = await db.labSession.count({ where: { ownerId: userId, status: { in: [...QUEUED_QUOTA_STATUSES] } } });
  if (mine >= maxPerUser) {
    throw new AppError(
      "quota_exceeded",
      `You already have ${mine} active lab session${mine === 1 ? "" : "s"} (limit ${maxPerUser}); end one first`,
    );
  }
}
