import type { Prisma } from "../generated/prisma/client";

// Session creation (a user's, or the pool's) takes this transaction-scoped advisory lock, so the
// quota checks and the insert are one atomic step across all Kubelab processes.
const QUOTA_LOCK_KEY = 7_345_210_002;

export async function takeQuotaLock(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${QUOTA_LOCK_KEY})`);
}

/**
 * Transaction limits for work under the quota lock. A classroom clicking "start" at once queues its
 * creates (and the pool's and the queue's) on the lock and on the 10 pooled connections; Prisma's
 * defaults (2 s to get a connection, 5 s in all) turned the tail into 500s.
 */
export const QUOTA_LOCKED_TRANSACTION = { maxWait: 20_000, timeout: 20_000 };
