import { createHmac, timingSafeEqual } from "node:crypto";
import { Inject, Injectable } from "@nestjs/common";
import { z } from "zod";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { PortAddress } from "./port-address";
import { loadSecretKey } from "./secret-key";

// A ticket only carries a login across to a port host: one redirect's worth of time.
export const TICKET_SECONDS = 60;

const ZClaims = z.strictObject({
  // "ticket" and "cookie" are signed with different purposes, so one can never stand in for the other.
  k: z.enum(["ticket", "cookie"]),
  u: z.string(),
  s: z.string(),
  n: z.string(),
  p: z.number().int(),
  e: z.number().int(),
});
type Claims = z.infer<typeof ZClaims>;
export type TokenKind = Claims["k"];

/** HMAC-signed, expiring tokens bound to one user and one port of one node of one session. */
@Injectable()
export class PortTokens {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = loadSecretKey(config);
  }

  sign(kind: TokenKind, userId: string, address: PortAddress, expiresAt: Date): string {
    const claims: Claims = {
      k: kind,
      u: userId,
      s: address.sessionId,
      n: address.node,
      p: address.port,
      e: Math.floor(expiresAt.getTime() / 1000),
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${payload}.${this.mac(payload)}`;
  }

  /** The user id the token was issued to, or null when it is forged, expired, or for anything else. */
  verify(kind: TokenKind, token: string | undefined, address: PortAddress): string | null {
    if (!token) return null;
    const parts = token.split(".");
    // Exactly payload.mac: anything appended to a valid token makes it another, unsigned string.
    if (parts.length !== 2) return null;
    const [payload = "", mac = ""] = parts;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: Claims;
    try {
      claims = ZClaims.parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    } catch {
      return null;
    }
    const matches =
      claims.k === kind && claims.s === address.sessionId && claims.n === address.node && claims.p === address.port;
    return matches && claims.e * 1000 > Date.now() ? claims.u : null;
  }

  private mac(payload: string): string {
    return createHmac("sha256", this.key).update(`kubelab-port:${payload}`).digest("base64url");
  }
}
