import { Inject, Injectable } from "@nestjs/common";
import type { IncomingMessage } from "node:http";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AddressWindows } from "../common/address-windows";
import { AppError } from "../common/app-error";
import { clientAddress } from "../common/request-origin";

/**
 * Login attempts per client address: a fixed one-minute window, kept in this
 * process. A classroom behind one NAT shares an address, so the default limit
 * leaves room for a whole room logging in at once; several server processes
 * each count on their own (see docs/operations.md).
 */
@Injectable()
export class LoginRateLimiter {
  private readonly attempts = new AddressWindows(60_000);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one attempt; throws rate_limited when the address is over the limit. */
  hit(req: IncomingMessage): void {
    const { count, retryAfterSeconds } = this.attempts.add(clientAddress(req, this.config));
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
