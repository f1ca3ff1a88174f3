import {
  SESSION_NOTICES_SHOWN,
  ZSessionNoticeCode,
  type TSession,
  type TSessionNotice,
  type TSessionQueueInfo,
} from "@kubelab/shared";
import type { Event, LabNode, LabSession, SessionNotice } from "../generated/prisma/client";
import { legacyReasonOf, stopReasonOf } from "./session-reason";

export type LabSessionWithNodes = LabSession & { nodes: LabNode[] };
export type LabSessionForView = LabSessionWithNodes & {
  notices: SessionNotice[];
  event: Pick<Event, "id" | "title" | "endsAt" | "maxExtensions" | "language"> | null;
};

/** Prisma `include` that loads what toSessionView needs (the latest notices, newest first). */
export const SESSION_VIEW_INCLUDE = {
  nodes: true,
  notices: { orderBy: { id: "desc" }, take: SESSION_NOTICES_SHOWN },
  // For the lab page's banners before an attendee's event ends, and the event's own limits; its
  // language is the one lesson checks answer in when the page does not say (LessonChecks).
  event: { select: { id: true, title: true, endsAt: true, maxExtensions: true, language: true } },
} as const;

/** `queue`: where it stands while queued (SessionQueue.describe computes it); null otherwise. */
export function toSessionView(
  session: LabSessionForView,
  maxExtensions: number,
  queue: TSessionQueueInfo | null = null,
): TSession {
  return {
    id: session.id,
    status: session.status,
    reason: legacyReasonOf(session),
    stopReason: stopReasonOf(session),
    lesson: session.lessonId,
    image: session.image,
    requestedImage: session.requestedImage,
    createdAt: session.createdAt.toISOString(),
    readyAt: session.readyAt?.toISOString() ?? null,
    expiresAt: session.expiresAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
    extensions: session.extensions,
    maxExtensions,
    nodes: [...session.nodes]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((node) => ({ name: node.name, status: node.status, ip: node.ip })),
    notices: [...session.notices]
      .sort((a, b) => Number(a.id - b.id))
      .flatMap((notice) => {
        const view = toNoticeView(notice);
        return view ? [view] : [];
      }),
    queue: session.status === "queued" ? queue : null,
    event: session.event
      ? { id: session.event.id, title: session.event.title, endsAt: session.event.endsAt.toISOString() }
      : null,
  };
}

// Rows with a code this version does not know (written by a newer server) are left out.
function toNoticeView(notice: SessionNotice): TSessionNotice | null {
  const code = ZSessionNoticeCode.safeParse(notice.code);
  if (!code.success) return null;
  return {
    code: code.data,
    node: notice.node,
    at: notice.createdAt.toISOString(),
    usedBytes: notice.usedBytes === null ? null : Number(notice.usedBytes),
    limitBytes: notice.limitBytes === null ? null : Number(notice.limitBytes),
  };
}
