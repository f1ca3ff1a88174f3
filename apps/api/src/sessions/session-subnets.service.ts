import { Inject, Injectable } from "@nestjs/common";
import { LIVE_SESSION_STATUSES } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { Prisma } from "../generated/prisma/client";
import { blockCount, firstFreeBlock, parseCidr, parseRanges, type Ipv4Range } from "./subnet-blocks";

// Allocation takes this transaction-scoped advisory lock, so two creates (in one process or in
// several on one database) never pick the same free block; the primary key would refuse it anyway.
const SUBNET_LOCK_KEY = 7_345_210_014;

/**
 * Which block of NODE_SUBNETS each session network uses (table session_subnets). Docker's default
 * address pools hold about 31 bridge networks; small blocks of Kubelab's own range let a host hold
 * as many sessions as its memory allows. A block is held from the session's creation until its
 * Docker network is gone, so a restart never hands it out twice and Docker never sees an overlap.
 */
@Injectable()
export class SessionSubnets {
  private readonly ranges: Ipv4Range[];
  private readonly prefix: number;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) config: Pick<AppConfig, "nodes">,
  ) {
    this.prefix = config.nodes.subnetPrefix;
    this.ranges = parseRanges(config.nodes.subnetRanges, this.prefix);
  }

  /** How many session networks NODE_SUBNETS has room for. */
  capacity(): number {
    return blockCount(this.ranges, this.prefix);
  }

  /**
   * Gives the session a free block inside the caller's transaction; throws AppError `no_capacity`
   * when every block is taken (the caller's transaction then rolls back, session row and all).
   */
  async allocate(tx: Prisma.TransactionClient, sessionId: string): Promise<string> {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SUBNET_LOCK_KEY})`);
    const taken = new Set((await tx.sessionSubnet.findMany({ select: { subnet: true } })).map((row) => row.subnet));
    const block = firstFreeBlock(this.ranges, this.prefix, taken);
    if (!block) {
      throw new AppError(
        "no_capacity",
        `All ${this.capacity()} session networks this server has room for are in use (NODE_SUBNETS); ` +
          "try again when a lab session ends",
      );
    }
    await tx.sessionSubnet.create({ data: { subnet: block, sessionId } });
    return block;
  }

  /** The session's block, allocated now if it has none yet (sessions created before this table). */
  async ensure(sessionId: string): Promise<string> {
    const existing = await this.prisma.sessionSubnet.findUnique({ where: { sessionId } });
    if (existing) return existing.subnet;
    return this.prisma.$transaction((tx) => this.allocate(tx, sessionId));
  }

  /**
   * Moves the session to another free block that overlaps none of `inUse` (the subnets of the
   * networks on the engine: another install's, or any program's), after Docker refused its block.
   * Undefined when no such block is left.
   */
  async reallocate(sessionId: string, inUse: string[]): Promise<string | undefined> {
    const avoid = inUse.flatMap((subnet) => {
      try {
        return [parseCidr(subnet)];
      } catch {
        return [];
      }
    });
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SUBNET_LOCK_KEY})`);
      const rows = await tx.sessionSubnet.findMany({ select: { subnet: true, sessionId: true } });
      const taken = new Set(rows.filter((row) => row.sessionId !== sessionId).map((row) => row.subnet));
      const block = firstFreeBlock(this.ranges, this.prefix, taken, avoid);
      if (!block) return undefined;
      await tx.sessionSubnet.upsert({
        where: { sessionId },
        create: { subnet: block, sessionId },
        update: { subnet: block },
      });
      return block;
    });
  }

  /** Frees the session's block; call only once its Docker network is removed. */
  async release(sessionId: string): Promise<void> {
    await this.prisma.sessionSubnet.deleteMany({ where: { sessionId } });
  }

  /**
   * Frees the blocks of this instance's sessions that are over (failed or ended), except those
   * `keep` names (the session still has a network, or this process is working on it). Catches what
   * a crash or a failed cleanup left behind. Returns how many it freed.
   */
  async releaseOver(instanceId: string, keep: (sessionId: string) => boolean): Promise<number> {
    const over = await this.prisma.sessionSubnet.findMany({
      where: { session: { instanceId, status: { notIn: [...LIVE_SESSION_STATUSES] } } },
      select: { sessionId: true },
    });
    const free = over.map((row) => row.sessionId).filter((id) => !keep(id));
    if (free.length === 0) return 0;
    const { count } = await this.prisma.sessionSubnet.deleteMany({ where: { sessionId: { in: free } } });
    return count;
  }
}
