import { Injectable } from "@nestjs/common";
import type { TAdminUsage, TAdminUsageQuery } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import { usageCsv, usageRange, usageReport, type UsageRange, type UsageSession } from "./usage-report";

/** Usage of the lab from the session rows: sessions per day, node-hours, per event and per user. */
@Injectable()
export class UsageService {
  constructor(private readonly prisma: PrismaService) {}

  async report(query: TAdminUsageQuery): Promise<TAdminUsage> {
    const now = new Date();
    const range = this.range(query, now);
    return usageReport(await this.sessions(range), range, now);
  }

  async csv(query: TAdminUsageQuery): Promise<{ range: UsageRange; csv: string }> {
    const now = new Date();
    const range = this.range(query, now);
    return { range, csv: usageCsv(await this.sessions(range), range, now) };
  }

  private range(query: TAdminUsageQuery, now: Date): UsageRange {
    try {
      return usageRange(query, now);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const [path = "(query)", message = error.message] = error.message.split(": ");
      throw new AppError("bad_request", `Invalid request query: ${error.message}`, [{ path, message }]);
    }
  }

  /**
   * Sessions that were live for their owner at some point of the range: ready (for a claimed pool
   * session, claimed) before its end and not ended before its start. Pool sessions nobody claimed,
   * queued places and sessions that failed before ready were never anyone's lab, so never counted.
   */
  private async sessions(range: UsageRange): Promise<UsageSession[]> {
    const rows = await this.prisma.labSession.findMany({
      where: {
        ownerId: { not: null },
        readyAt: { not: null, lt: range.end },
        OR: [{ endedAt: null }, { endedAt: { gte: range.start } }],
      },
      select: {
        id: true,
        lessonId: true,
        image: true,
        readyAt: true,
        endedAt: true,
        owner: { select: { id: true, name: true, login: true } },
        event: { select: { id: true, title: true } },
        _count: { select: { nodes: true } },
      },
    });
    return rows.map((row) => ({
      id: row.id,
      userId: row.owner!.id,
      userName: row.owner!.name,
      userLogin: row.owner!.login,
      eventId: row.event?.id ?? null,
      eventTitle: row.event?.title ?? null,
      lessonId: row.lessonId,
      image: row.image,
      nodes: row._count.nodes,
      liveFrom: row.readyAt!,
      endedAt: row.endedAt,
    }));
  }
}
