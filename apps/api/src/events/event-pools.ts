import { QUEUED_QUOTA_STATUSES } from "@kubelab/shared";
import type { PrismaService } from "../database/prisma.service";
import type { Prisma } from "../generated/prisma/client";
import type { SessionShape } from "../sessions/session-image-picker";
import { eventPoolKey, eventPoolTarget } from "./event-rules";

type Db = PrismaService | Prisma.TransactionClient;

/** The longest prepare time an event may have (ZEventCreate): events starting later need nothing yet. */
const MAX_PREPARE_MS = 86_400_000;

/** An event's pool as SessionPool needs it: how many to keep and what to build. */
export interface EventPool {
  target: number;
  shape: SessionShape;
}

/** The attendees an event has now: their sessions, live or queued (what its capacity counts). */
export function countAttendees(db: Db, eventId: string): Promise<number> {
  return db.labSession.count({
    where: { eventId, ownerId: { not: null }, status: { in: [...QUEUED_QUOTA_STATUSES] } },
  });
}

/**
 * The pools of the events whose reserved sessions are wanted now (eventPoolTarget), by pool key,
 * with the lesson's nodes and image. Events not listed have a target of 0: their pools empty.
 */
export async function eventPools(
  prisma: PrismaService,
  shapeOf: (lessonId: string) => Promise<SessionShape>,
  now: Date,
): Promise<Map<string, EventPool>> {
  const events = await prisma.event.findMany({
    where: {
      endsAt: { gt: now },
      startsAt: { lte: new Date(now.getTime() + MAX_PREPARE_MS) },
      reservedSessions: { gt: 0 },
    },
  });
  const pools = new Map<string, EventPool>();
  for (const event of events) {
    const target = eventPoolTarget(event, now, await countAttendees(prisma, event.id));
    if (target > 0) pools.set(eventPoolKey(event.id), { target, shape: await shapeOf(event.lessonId) });
  }
  return pools;
}
