import { Inject, Injectable } from "@nestjs/common";
import type { IncomingMessage } from "node:http";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AddressWindows } from "../common/address-windows";
import { AppError } from "../common/app-error";
import { clientAddress } from "../common/request-origin";
import { PrismaService } from "../database/prisma.service";

/**
 * Login attempts per client address: a fixed one-minute window, counted in PostgreSQL so that
 * every process of the installation counts together. A classroom behind one NAT shares an
 * address, so the default limit leaves room for a whole room logging in at once.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly attempts: AddressWindows;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    prisma: PrismaService,
  ) {
    this.attempts = new AddressWindows(prisma, "login", 60);
  }

  /** Counts one attempt; throws rate_limited when the address is over the limit. */
  async hit(req: IncomingMessage): Promise<void> {
    const { count, retryAfterSeconds } = await this.attempts.add(clientAddress(req, this.config));
    if (count > this.config.auth.rateLimitPerMinute) {
      throw new AppError(
        "rate_limited",
        `Too many login attempts from your address; try again in ${Math.ceil(retryAfterSeconds)} s`,
        undefined,
        retryAfterSeconds,
      );
    }
  }
}
