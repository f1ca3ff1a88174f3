import type { Prisma } from "../generated/prisma/client";

// Session creation (a user's, or the pool's) takes this transaction-scoped advisory lock, so the
// quota checks and the insert are one atomic step across all Kubelab processes.
const QUOTA_LOCK_KEY = 7_345_210_002;

export async function takeQuotaLock(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${QUOTA_LOCK_KEY})`);
}
