import { LIVE_SESSION_STATUSES } from "@kubelab/shared";
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
