import { Inject, Injectable } from "@nestjs/common";
import type { TLoginProvidersResponse } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AppError } from "../common/app-error";
import { GithubLogin } from "./github-login";
import { LoginAttempts } from "./login-attempts.service";
import type { LoginProvider } from "./login-provider";
import { OidcLogin } from "./oidc-login";

/** The login providers this Kubelab is configured with, in the order the login page lists them. */
@Injectable()
export class LoginProviders {
  private readonly byId = new Map<string, LoginProvider>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    attempts: LoginAttempts,
  ) {
    const providers: LoginProvider[] = [];
    if (config.auth.github) providers.push(new GithubLogin(config.auth.github, config, attempts));
    for (const oidc of config.auth.oidc) providers.push(new OidcLogin(oidc, config, attempts));
    for (const provider of providers) this.byId.set(provider.descriptor.id, provider);
  }

  /** The provider behind /api/auth/<id>/...; not_found when none is configured under that id. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  require(id: string): LoginProvider {
    const provider = this.byId.get(id);
    if (!provider) throw new AppError("not_found", `No login provider "${id}" is configured`);
    return provider;
  }

  describe(): TLoginProvidersResponse {
    return {
      providers: [...this.byId.values()].map((provider) => provider.descriptor),
      guest: this.config.auth.guestLogin,
    };
  }
}
