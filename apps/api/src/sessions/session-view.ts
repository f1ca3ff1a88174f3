import type { TSession } from "@kubelab/shared";
import type { LabNode, LabSession } from "../generated/prisma/client";

export type LabSessionWithNodes = LabSession & { nodes: LabNode[] };

// Sessions that hold (or are about to hold) Docker resources count against quotas.
export const ACTIVE_STATUSES = ["provisioning", "ready", "ending"] as const;

export function toSessionView(session: LabSessionWithNodes, maxExtensions: number): TSession {
  return {
    id: session.id,
    status: session.status,
    reason: session.statusReason,
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
  };
}
