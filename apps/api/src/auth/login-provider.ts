import type { TLoginErrorCode, TLoginProvider } from "@kubelab/shared";
import type { Request, Response } from "express";
import type { ExternalProfile } from "./external-profile";

/** A login that did not complete; the callback turns it into /login?error=<code>. */
export class LoginFailure extends Error {
  constructor(
    readonly code: TLoginErrorCode,
    message: string,
    /** Where the user was headed, when the attempt is known. */
    readonly returnTo?: string,
  ) {
    super(message);
  }
}

export interface CompletedLogin {
  profile: ExternalProfile;
  returnTo: string;
}

/** One configured way to log in through a third party (GitHub, an OIDC provider). */
export interface LoginProvider {
  readonly descriptor: TLoginProvider;
  /** Records the attempt, sets the state cookie and redirects to the provider. */
  begin(req: Request, res: Response, returnTo: string): Promise<void>;
  /** Checks the provider's answer on the callback and returns who logged in. Throws LoginFailure. */
  complete(req: Request): Promise<CompletedLogin>;
}
