import type { IncomingMessage } from "node:http";
import { Injectable } from "@nestjs/common";
import { SessionAccess } from "../access/session-access.service";
import { usableNode, usableSession, type SessionFacts, type Viewer } from "../access/session-access-rules";
import { RequestAuth } from "../auth/request-auth.service";
import { PrismaService } from "../database/prisma.service";
import { SessionEvents } from "../sessions/session-events";
import type { PortAddress } from "./port-address";
import { PortTokens } from "./port-tokens";
import { REQUEST_FLOOD_CACHE, RefreshingCache } from "../common/refreshing-cache";
import { TtlCache } from "../common/ttl-cache";
import { DockerEngines } from "../nodes/docker-engines.service";
import type { NodeRelayVia } from "./node-relay";

/** Where a permitted request goes: always the node's address from the database, never from the request. */
export interface PortTarget {
  ip: string;
  port: number;
  /** Whether the port is public (anyone may use it), as opposed to allowed for its owner. */
  isPublic: boolean;
  /** Set when the node's network is not reachable from here (its engine is on another host). */
  relay?: NodeRelayVia;
}

/** The credential a request brings, depending on the URL form. */
export type PortCredential = { form: "path"; req: IncomingMessage } | { form: "host"; portCookie: string | undefined };

interface PortFacts extends SessionFacts {
  isPublic: boolean;
  engine: string | null;
}

/**
 * Decides whether a request may reach a port and where it goes. Public ports
 * need nothing; private ones need the owner's login (path form) or a port
 * cookie issued to the owner (host form).
 */
@Injectable()
export class PortAccess {
  // Every proxied request (each asset of a page) needs these facts; reading them for each one costs
  // more than the proxying itself. Changes made through this process (visibility, session end) drop
  // the cached facts at once; others are seen within about a second.
  private readonly facts = new RefreshingCache<PortFacts | null>(REQUEST_FLOOD_CACHE);
  // Port cookies already verified (user id, or null when invalid), for as long as the facts.
  private readonly verifiedCookies = new TtlCache<string | null>(REQUEST_FLOOD_CACHE.freshMs);

  constructor(
    private readonly prisma: PrismaService,
    private readonly requests: RequestAuth,
    private readonly access: SessionAccess,
    private readonly tokens: PortTokens,
    private readonly engines: DockerEngines,
    events: SessionEvents,
  ) {
    events.onStopped(({ sessionId }) => this.forget(sessionId));
  }

  /** Drops cached facts of a session after a change (visibility, end). */
  forget(sessionId: string): void {
    this.facts.delete(sessionId, "/");
  }

  async resolve(address: PortAddress, credential: PortCredential): Promise<PortTarget> {
    const facts = await this.factsOf(address);
    // Public ports need no login, so none is looked up for them.
    const viewer = facts && !facts.isPublic ? await this.viewerOf(address, credential) : null;
    const session = usableSession(viewer, facts, {
      open: facts?.isPublic,
      loginMessage: "Log in to Kubelab to open this port",
    });
    const node = usableNode(session, address.node, "port");
    const engine = this.engines.byName(facts!.engine);
    // A local engine's session networks are reachable (directly, or joined by Kubelab's container).
    const isPublic = facts!.isPublic;
    if (engine.isLocal) return { ip: node.ip!, port: address.port, isPublic };
    return { ip: node.ip!, port: address.port, isPublic, relay: { engine, containerId: node.containerId! } };
  }

  /** When the user's session ends, or null if they may not use it: the port cookie lives exactly as long. */
  ownedSessionExpiry(sessionId: string, userId: string): Promise<Date | null> {
    return this.access.usableUntil({ id: userId }, sessionId);
  }

  private factsOf(address: PortAddress): Promise<PortFacts | null> {
    const key = `${address.sessionId}/${address.node}/${address.port}`;
    return this.facts.get(key, async () => {
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
          nodes: session.nodes,
          isPublic: session.publicPorts.length > 0,
          engine: session.engine,
        }
      );
    });
  }

  private async viewerOf(address: PortAddress, credential: PortCredential): Promise<Viewer | null> {
    if (credential.form === "host") {
      const cookie = credential.portCookie;
      if (cookie === undefined) return null;
      // Verifying the signature (HMAC) for each request cost more than the rest of the check.
      const key = `${cookie}|${address.sessionId}/${address.node}/${address.port}`;
      let userId = this.verifiedCookies.get(key);
      if (userId === undefined) {
        userId = this.tokens.verify("cookie", cookie, address);
        this.verifiedCookies.set(key, userId);
      }
      return userId ? { id: userId } : null;
    }
    return this.requests.userOf(credential.req, { cached: true });
  }
}
