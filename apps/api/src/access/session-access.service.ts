import { Injectable } from "@nestjs/common";
import { PrismaService } from "../database/prisma.service";
import type { LabNode } from "../generated/prisma/client";
import { SESSION_VIEW_INCLUDE, type LabSessionForView } from "../sessions/session-view";
import { usableNode, usableSession, type NodeUse, type Viewer } from "./session-access-rules";

// Session ids are 128 random bits in hex; anything else cannot exist and is not worth a query.
export const SESSION_ID = /^[0-9a-f]{32}$/;

/**
 * "This user may use this node of this session": the single check behind
 * terminals, uploads, the port list and the port proxy. The rules themselves
 * are pure (session-access-rules.ts); this loads the facts they need. Rights
 * beyond the owner's (event instructors) are to be added in those rules.
 */
@Injectable()
export class SessionAccess {
  constructor(private readonly prisma: PrismaService) {}

  /** A session the viewer may use, or a not_found error as if it did not exist. */
  async session(viewer: Viewer, sessionId: string): Promise<LabSessionForView> {
    const session = SESSION_ID.test(sessionId)
      ? await this.prisma.labSession.findUnique({ where: { id: sessionId }, include: SESSION_VIEW_INCLUDE })
      : null;
    return usableSession(viewer, session);
  }

  /** A node the viewer may use for `use` right now, with its session; or the error saying why not. */
  async node(
    viewer: Viewer,
    sessionId: string,
    nodeName: string,
    use: NodeUse,
  ): Promise<{ session: LabSessionForView; node: LabNode }> {
    const session = await this.session(viewer, sessionId);
    return { session, node: usableNode(session, nodeName, use) };
  }

  /** Until when the viewer may use the session (port cookies live exactly as long), or null if they may not. */
  async usableUntil(viewer: Viewer, sessionId: string): Promise<Date | null> {
    const session = SESSION_ID.test(sessionId)
      ? await this.prisma.labSession.findUnique({
          where: { id: sessionId },
          select: { ownerId: true, expiresAt: true },
        })
      : null;
    try {
      return usableSession(viewer, session).expiresAt;
    } catch {
      return null;
    }
  }
}
