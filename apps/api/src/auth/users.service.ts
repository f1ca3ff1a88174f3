import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { User } from "../generated/prisma/client";
import { safeAvatarUrl, type ExternalProfile } from "./external-profile";
import { LoginFailure } from "./login-provider";

/** Users who log in through a provider: found by (provider, immutable id), profile refreshed each time. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger("Users");

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async upsertFromLogin(profile: ExternalProfile, returnTo: string): Promise<User> {
    const now = new Date();
    const fields = {
      name: profile.name,
      login: profile.login,
      email: profile.email,
      avatarUrl: safeAvatarUrl(profile.avatarUrl),
      lastLoginAt: now,
    };
    let user = await this.prisma.user.upsert({
      where: { provider_providerId: { provider: profile.provider, providerId: profile.providerId } },
      create: { provider: profile.provider, providerId: profile.providerId, ...fields },
      update: fields,
    });
    if (user.bannedAt) {
      throw new LoginFailure("account_banned", "This account is banned from this Kubelab", returnTo);
    }
    // Bootstrap admins are promoted, never demoted: an admin may have granted the role by hand.
    if (user.role !== "admin" && this.isBootstrapAdmin(profile)) {
      user = await this.prisma.user.update({ where: { id: user.id }, data: { role: "admin" } });
      this.logger.log(`${profile.provider}:${profile.login ?? profile.providerId} is an admin (ADMINS)`);
    }
    return user;
  }

  private isBootstrapAdmin(profile: ExternalProfile): boolean {
    return this.config.auth.admins.some((entry) => {
      const colon = entry.indexOf(":");
      const provider = entry.slice(0, colon);
      const value = entry.slice(colon + 1);
      if (provider !== profile.provider) return false;
      // Logins are case-insensitive on GitHub; ids are compared exactly.
      return value === profile.providerId || value.toLowerCase() === profile.login?.toLowerCase();
    });
  }
}
