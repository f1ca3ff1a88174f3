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

  /** Creates a guest user and a login session for it; returns the cookie token. */
  async loginAsGuest(name: string): Promise<{ token: string; user: User }> {
    if (!this.config.auth.guestLogin) {
      throw new AppError("guest_login_disabled", "Guest login is disabled on this Kubelab");
    }
    const user = await this.prisma.user.create({ data: { provider: "guest", providerId: randomUUID(), name } });
    return { token: await this.createLoginSession(user.id), user };
  }

  async createLoginSession(userId: string): Promise<string> {
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

  /** The user behind a cookie token, or null when the token is unknown or expired. */
  async userForToken(token: string): Promise<User | null> {
    const session = await this.prisma.loginSession.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { user: true },
    });
    if (!session) return null;
    const now = Date.now();
    if (session.expiresAt.getTime() <= now) {
      await this.prisma.loginSession.deleteMany({ where: { tokenHash: session.tokenHash } });
      return null;
    }
    if (now - session.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
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
