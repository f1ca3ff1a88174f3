import { Inject, Injectable } from "@nestjs/common";
import type { IncomingMessage } from "node:http";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AddressWindows } from "../common/address-windows";
import { AppError } from "../common/app-error";
import { clientAddress } from "../common/request-origin";
import { PrismaService } from "../database/prisma.service";

/** Wrong event codes one client address may send per window before it has to wait. */
export const EVENT_CODE_FAILURES = 10;
const WINDOW_SECONDS = 60;

/**
 * Guessing event codes: after EVENT_CODE_FAILURES wrong codes from one address in a minute, every
 * join from it is refused (429, Retry-After) until the minute is over. Right codes never count, so
 * a classroom behind one NAT joins freely; 10 guesses a minute against 31^8 codes find nothing.
 */
@Injectable()
export class EventJoinLimiter {
  // Counted in PostgreSQL: guesses spread over several processes count together.
  private readonly failures: AddressWindows;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    prisma: PrismaService,
  ) {
    this.failures = new AddressWindows(prisma, "event-code", WINDOW_SECONDS);
  }

  /** Throws rate_limited when the address has used up its wrong codes. */
  async check(req: IncomingMessage): Promise<void> {
    const { count, retryAfterSeconds } = await this.failures.peek(clientAddress(req, this.config));
    if (count >= EVENT_CODE_FAILURES) {
      throw new AppError(
        "rate_limited",
        `Too many wrong event codes from your address; try again in ${Math.ceil(retryAfterSeconds)} s`,
        undefined,
        retryAfterSeconds,
      );
    }
  }

  /** Counts one wrong code. */
  async failed(req: IncomingMessage): Promise<void> {
    await this.failures.add(clientAddress(req, this.config));
  }
}
