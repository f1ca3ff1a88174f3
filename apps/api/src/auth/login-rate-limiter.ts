import { Inject, Injectable } from "@nestjs/common";
import type { IncomingMessage } from "node:http";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AppError } from "../common/app-error";
import { clientAddress } from "../common/request-origin";

const WINDOW_MS = 60_000;

/**
 * Login attempts per client address: a fixed one-minute window, kept in this
 * process. A classroom behind one NAT shares an address, so the default limit
 * leaves room for a whole room logging in at once; several server processes
 * each count on their own (see docs/operations.md).
 */
@Injectable()
export class LoginRateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one attempt; throws rate_limited when the address is over the limit. */
  hit(req: IncomingMessage): void {
    const now = Date.now();
    if (this.windows.size > 10_000) this.sweep(now);
    const address = clientAddress(req, this.config);
    let window = this.windows.get(address);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      window = { startedAt: now, count: 0 };
      this.windows.set(address, window);
    }
    window.count += 1;
    if (window.count > this.config.auth.rateLimitPerMinute) {
      const retryAfter = (window.startedAt + WINDOW_MS - now) / 1000;
      throw new AppError(
        "rate_limited",
        `Too many login attempts from your address; try again in ${Math.ceil(retryAfter)} s`,
        undefined,
        retryAfter,
      );
    }
  }

  // Bounded memory under a flood of distinct addresses.
  private sweep(now: number): void {
    for (const [address, window] of this.windows) {
      if (now - window.startedAt >= WINDOW_MS) this.windows.delete(address);
    }
  }
}
