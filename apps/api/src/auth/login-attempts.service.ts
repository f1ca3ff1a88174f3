import { createHash, randomBytes } from "node:crypto";
import { Injectable } from "@nestjs/common";
import { PrismaService } from "../database/prisma.service";

// Long enough to read a consent screen and type a password; short enough that
// a leaked state is useless soon.
export const LOGIN_ATTEMPT_SECONDS = 10 * 60;

export interface LoginAttempt {
  codeVerifier: string;
  nonce: string | null;
  returnTo: string;
}

function hashState(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/**
 * Authorization requests in flight, kept in PostgreSQL rather than memory so
 * the callback may reach any server process. Each one is consumed by a single
 * DELETE ... RETURNING: a replayed callback finds nothing.
 */
@Injectable()
export class LoginAttempts {
  constructor(private readonly prisma: PrismaService) {}

  /** Records an attempt; returns the `state` to send to the provider. */
  async start(provider: string, attempt: LoginAttempt): Promise<string> {
    const state = randomBytes(32).toString("base64url");
    const now = Date.now();
    await this.prisma.$transaction([
      this.prisma.loginAttempt.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }),
      this.prisma.loginAttempt.create({
        data: {
          stateHash: hashState(state),
          provider,
          codeVerifier: attempt.codeVerifier,
          nonce: attempt.nonce,
          returnTo: attempt.returnTo,
          expiresAt: new Date(now + LOGIN_ATTEMPT_SECONDS * 1000),
        },
      }),
    ]);
    return state;
  }

  /** Takes the attempt for `state` out of the store; null if unknown, used, expired or for another provider. */
  async consume(provider: string, state: string): Promise<LoginAttempt | null> {
    const rows = await this.prisma.$queryRaw<
      { provider: string; code_verifier: string; nonce: string | null; return_to: string; expires_at: Date }[]
    >`DELETE FROM login_attempts WHERE state_hash = ${hashState(state)}
      RETURNING provider, code_verifier, nonce, return_to, expires_at`;
    const row = rows[0];
    if (!row || row.provider !== provider || row.expires_at.getTime() <= Date.now()) return null;
    return { codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to };
  }
}
