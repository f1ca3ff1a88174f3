import { Injectable } from "@nestjs/common";
import { AuthService } from "../auth/auth.service";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import { SessionEvents } from "../sessions/session-events";
import type { PortAddress } from "./port-address";
import { PortTokens } from "./port-tokens";
import { TtlCache } from "./ttl-cache";

/** Where a permitted request goes: always the node's address from the database, never from the request. */
export interface PortTarget {
  ip: string;
  port: number;
}

/** The credential a request brings, depending on the URL form. */
export type PortCredential =
  { form: "path"; loginToken: string | undefined } | { form: "host"; portCookie: string | undefined };

interface PortFacts {
  ownerId: string;
  status: string;
  ip: string | null | undefined;
  isPublic: boolean;
}

// Every proxied request (each asset of a page) needs these facts; reading them for each one costs
// more than the proxying itself. One second of staleness is the price; changes made through this
// process (visibility, session end) drop the cached facts at once.
const CACHE_MS = 1_000;

/**
 * Decides whether a request may reach a port and where it goes. Public ports
 * need nothing; private ones need the owner's login (path form) or a port
 * cookie issued to the owner (host form).
 */
@Injectable()
export class PortAccess {
  // Promises, not values: concurrent requests for one port share one query instead of each
  // sending their own the moment an entry expires.
  private readonly facts = new TtlCache<Promise<PortFacts | null>>(CACHE_MS);
  private readonly logins = new TtlCache<Promise<string | null>>(CACHE_MS);

  constructor(
    private readonly prisma: PrismaService,
    private readonly auth: AuthService,
    private readonly tokens: PortTokens,
    events: SessionEvents,
  ) {
    events.onStopped(({ sessionId }) => this.forget(sessionId));
  }

  /** Drops cached facts of a session after a change (visibility, end). */
  forget(sessionId: string): void {
    this.facts.deletePrefix(`${sessionId}/`);
  }

  async resolve(address: PortAddress, credential: PortCredential): Promise<PortTarget> {
    const facts = await this.factsOf(address);
    if (!facts) throw new AppError("not_found", "No such session");
    if (!facts.isPublic) {
      const userId = await this.userOf(address, credential);
      if (!userId) throw new AppError("unauthenticated", "Log in to Kubelab to open this port");
      // Someone else's private port looks exactly like a missing one.
      if (userId !== facts.ownerId) throw new AppError("not_found", "No such session");
    }
    if (facts.status !== "ready") {
      throw new AppError("session_not_active", `The session is ${facts.status}; ports open once it is ready`);
    }
    if (facts.ip === undefined) throw new AppError("not_found", `This session has no node "${address.node}"`);
    if (!facts.ip) throw new AppError("session_not_active", `${address.node} has no address yet`);
    return { ip: facts.ip, port: address.port };
  }

  /** When the user's session ends, or null if it is not theirs: the port cookie lives exactly as long. */
  async ownedSessionExpiry(sessionId: string, userId: string): Promise<Date | null> {
    const session = await this.prisma.labSession.findFirst({ where: { id: sessionId, ownerId: userId } });
    return session?.expiresAt ?? null;
  }

  private factsOf(address: PortAddress): Promise<PortFacts | null> {
    const key = `${address.sessionId}/${address.node}/${address.port}`;
    return this.cached(this.facts, key, async () => {
      const session = await this.prisma.labSession.findUnique({
        where: { id: address.sessionId },
        include: {
          nodes: { where: { name: address.node } },
          publicPorts: { where: { node: address.node, port: address.port } },
        },
      });
      return (
        session && {
          ownerId: session.ownerId,
          status: session.status,
          ip: session.nodes[0] ? session.nodes[0].ip : undefined,
          isPublic: session.publicPorts.length > 0,
        }
      );
    });
  }

  private async userOf(address: PortAddress, credential: PortCredential): Promise<string | null> {
    if (credential.form === "host") return this.tokens.verify("cookie", credential.portCookie, address);
    const token = credential.loginToken;
    if (!token) return null;
    return this.cached(this.logins, token, async () => (await this.auth.userForToken(token))?.id ?? null);
  }

  private cached<V>(cache: TtlCache<Promise<V>>, key: string, load: () => Promise<V>): Promise<V> {
    const hit = cache.get(key);
    if (hit) return hit;
    const loading = load();
    cache.set(key, loading);
    // A failed lookup (database hiccup) must not be remembered.
    loading.catch(() => cache.delete(key));
    return loading;
  }
}
