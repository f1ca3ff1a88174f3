import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Inject, Injectable } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import type { User } from "../generated/prisma/client";

// Writing last_seen_at on every request would turn reads into writes.
const LAST_SEEN_RESOLUTION_MS = 60_000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates a guest user and a login session for it; returns the cookie token.
   * The client address is kept on the guest: guest sessions are capped per address.
   */
  async loginAsGuest(
    name: string,
    previousToken: string | undefined,
    clientAddress: string,
    /** For a guest logged in by an event join: the event it is bound to (event-access-rules.ts). */
    eventId: string | null = null,
  ): Promise<{ token: string; user: User }> {
    if (!this.config.auth.guestLogin) {
      throw new AppError("guest_login_disabled", "Guest login is disabled on this Kubelab");
    }
    const user = await this.prisma.user.create({
      data: {
        provider: "guest",
        providerId: randomUUID(),
        name,
        lastLoginAt: new Date(),
        guestAddress: clientAddress,
        eventId,
      },
    });
    return { token: await this.replaceLoginSession(previousToken, user.id), user };
  }

  private async createLoginSession(userId: string): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    await this.prisma.loginSession.create({
      data: {
        tokenHash: hashToken(token),
        userId,
        expiresAt: new Date(Date.now() + this.config.auth.loginSessionSeconds * 1000),
      },
    });
    return token;
  }

  /**
   * Starts a fresh login session for a user who just proved who they are. A
   * session the browser already had is ended, so a token planted before login
   * (session fixation) is worthless after it.
   */
  async replaceLoginSession(previousToken: string | undefined, userId: string): Promise<string> {
    if (previousToken) await this.logout(previousToken);
    return this.createLoginSession(userId);
  }

  /** The user behind a cookie token, or null when the token is unknown, expired, idle too long or banned. */
  async userForToken(token: string): Promise<User | null> {
    const session = await this.prisma.loginSession.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { user: true },
    });
    if (!session) return null;
    const now = Date.now();
    const idleSince = now - session.lastSeenAt.getTime();
    if (
      session.expiresAt.getTime() <= now ||
      idleSince > this.config.auth.idleTimeoutSeconds * 1000 ||
      session.user.bannedAt
    ) {
      await this.prisma.loginSession.deleteMany({ where: { tokenHash: session.tokenHash } });
      return null;
    }
    // A short idle timeout needs a finer resolution, or active users would look idle.
    if (idleSince > Math.min(LAST_SEEN_RESOLUTION_MS, (this.config.auth.idleTimeoutSeconds * 1000) / 4)) {
      await this.prisma.loginSession.update({
        where: { tokenHash: session.tokenHash },
        data: { lastSeenAt: new Date(now) },
      });
    }
    return session.user;
  }

  async logout(token: string): Promise<void> {
    await this.prisma.loginSession.deleteMany({ where: { tokenHash: hashToken(token) } });
  }
}
