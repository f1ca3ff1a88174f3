import { Injectable } from "@nestjs/common";
import type { TSessionNoticeCode } from "@kubelab/shared";
import { PrismaService } from "../database/prisma.service";

export interface NewNotice {
  code: TSessionNoticeCode;
  node: string | null;
  usedBytes?: number;
  limitBytes?: number;
}

/** Records notices for attendees (see ZSessionNotice); the session view shows the latest ones. */
@Injectable()
export class SessionNotices {
  constructor(private readonly prisma: PrismaService) {}

  async add(sessionId: string, notice: NewNotice): Promise<void> {
    await this.prisma.sessionNotice.create({
      data: {
        sessionId,
        code: notice.code,
        node: notice.node,
        usedBytes: notice.usedBytes === undefined ? null : BigInt(notice.usedBytes),
        limitBytes: notice.limitBytes === undefined ? null : BigInt(notice.limitBytes),
      },
    });
  }

  /** Whether the session already has such a notice for the node, optionally only since a moment. */
  async exists(sessionId: string, code: TSessionNoticeCode, node: string | null, since?: Date): Promise<boolean> {
    const found = await this.prisma.sessionNotice.findFirst({
      where: { sessionId, code, node, ...(since ? { createdAt: { gte: since } } : {}) },
      select: { id: true },
    });
    return found !== null;
  }
}
