import type { IncomingMessage } from "node:http";
import { isIPv4 } from "node:net";
import { Inject, Injectable, Logger, type OnModuleDestroy } from "@nestjs/common";
import { loginCookieName, readLoginToken } from "../../auth/login-cookie";
import { APP_CONFIG, type AppConfig } from "../../config/app-config";
import { SessionEvents } from "../../sessions/session-events";
import type { PortAddress } from "../port-address";
import { PortAccess, type PortCredential, type PortTarget } from "../port-access.service";
import type { PortRoute } from "../port-route";
import { GRANT_IDLE_SECONDS, IN_USE_TABLE } from "./haproxy-config";
import { isSafeMapWord } from "./haproxy-runtime";

/** What PortGrants changes: HAProxy's map of allowed ports (HaproxyRuntime). */
export interface PortMap {
  setEntry(key: string, value: string): Promise<void>;
  deleteEntries(keys: readonly string[]): Promise<void>;
  /** The keys requests used in the last GRANT_IDLE_SECONDS (HAProxy's in-use table). */
  tableKeys(table: string): Promise<Set<string>>;
}

interface Grant {
  key: string;
  value: string;
  address: PortAddress;
  form: "host" | "path";
  /** The port cookie (host form) or login token (path form) the grant was checked with; undefined for a public port's grant. */
  token: string | undefined;
  /** When to ask HAProxy whether the grant was used since it was made or last kept. */
  idleCheckAt: number;
}

/** How often every grant is checked again: as often as the access facts are read again (1 s). */
const RECHECK_MS = 1_000;
/**
 * A grant no request used for this long ends, so the map and the re-checks only hold ports in use.
 * A grant in use is kept: ending it would send a load test's next burst through Kubelab (a 256-
 * connection burst on a fresh grant cost 20-30 % of a 5 s run's requests/s, docs/benchmarks.md).
 */
const GRANT_IDLE_MS = GRANT_IDLE_SECONDS * 1_000;

/**
 * The control plane of HAProxy's data path (docs/ports.md, "HAProxy as the data plane"). After
 * Kubelab itself has checked and forwarded a request, its route and credential (the host and port
 * cookie, or session, node, port and login; "*" for a public port) go into HAProxy's map, and
 * HAProxy carries the next requests of that pair without asking. Every grant is checked again each
 * second with the same access rules (PortAccess) and removed when they no longer allow it or no
 * request used it for a minute; a port made private or a session ending through this process
 * removes its grants at once. With PORT_DATA_PLANE=node nothing is ever granted.
 */
@Injectable()
export class PortGrants implements OnModuleDestroy {
  private readonly logger = new Logger(PortGrants.name);
  private readonly grants = new Map<string, Grant>();
  private map: PortMap | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly access: PortAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    events: SessionEvents,
  ) {
    events.onStopped(({ sessionId }) => void this.revokeSession(sessionId));
  }

  /** HAProxy is running: grants go into its map from now on. */
  attach(map: PortMap): void {
    this.map = map;
    this.timer ??= setInterval(() => void this.recheck(), RECHECK_MS);
    this.timer.unref();
  }

  /** HAProxy started again with an empty map: nothing granted is there any more. */
  forgetAll(): void {
    this.grants.clear();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.map = undefined;
  }

  /**
   * A request was allowed with `credential` and answered by the app. The grant is for that pair of
   * route and credential only: the host (host form) or session, node and port (path form), and the
   * port cookie or login token, or for a public port, anyone.
   */
  granted(route: PortRoute, address: PortAddress, target: PortTarget, credential: PortCredential): void {
    if (!this.map || target.relay) return;
    // Read only here: with PORT_DATA_PLANE=node, requests never pay for it.
    const token = credential.form === "host" ? credential.portCookie : readLoginToken(credential.req, this.config);
    if (!target.isPublic && !token) return;
    // The same words HAProxy's rules build from the request (haproxy-config.ts); the prefix keeps a
    // crafted Host from ever matching a path-form key.
    const where =
      route.form === "host"
        ? `h:${route.host.toLowerCase()}`
        : `p:${address.sessionId}/${address.node}/${address.port}`;
    const key = `${where}|${target.isPublic ? "*" : token}`;
    if (this.grants.has(key) || !isSafeMapWord(key)) return;
    // HAProxy reads the address and port as the first two ":" fields (haproxy-config.ts).
    if (!isIPv4(target.ip)) return;
    const value = `${target.ip}:${target.port}:${address.node}`;
    const grant: Grant = {
      key,
      value,
      address,
      form: route.form,
      token: target.isPublic ? undefined : token,
      idleCheckAt: Date.now() + GRANT_IDLE_MS,
    };
    this.grants.set(key, grant);
    this.map.setEntry(key, value).catch((error: unknown) => {
      if (this.grants.get(key) === grant) this.grants.delete(key);
      this.logger.warn(`Could not grant ${where} in HAProxy: ${(error as Error).message}`);
    });
  }

  /** Removes every grant of a session before returning (a port made private, the session ended). */
  async revokeSession(sessionId: string): Promise<void> {
    await this.revoke([...this.grants.values()].filter((grant) => grant.address.sessionId === sessionId));
  }

  private async revoke(grants: readonly Grant[]): Promise<void> {
    if (grants.length === 0) return;
    for (const grant of grants) this.grants.delete(grant.key);
    try {
      await this.map?.deleteEntries(grants.map((grant) => grant.key));
    } catch (error) {
      // The map could not be changed: HAProxy is gone or going (it restarts with an empty map).
      this.logger.error(`Could not revoke ${grants.length} port grants in HAProxy: ${(error as Error).message}`);
    }
  }

  /**
   * Checks every grant with today's facts (cached for 1 s, as for requests Kubelab carries itself)
   * and removes those no longer allowed or unused for GRANT_IDLE_MS. Runs every second.
   */
  async recheck(): Promise<void> {
    if (this.checking || this.grants.size === 0) return;
    this.checking = true;
    try {
      const now = Date.now();
      const idle = await this.idleGrants(now);
      const stale: Grant[] = [...idle];
      await Promise.all(
        [...this.grants.values()].map(async (grant) => {
          if (!idle.has(grant) && !(await this.stillAllowed(grant))) stale.push(grant);
        }),
      );
      await this.revoke(stale.filter((grant) => this.grants.get(grant.key) === grant));
    } finally {
      this.checking = false;
    }
  }

  /** Grants due for their idle check that no request used lately; the used ones are kept longer. */
  private async idleGrants(now: number): Promise<Set<Grant>> {
    const due = [...this.grants.values()].filter((grant) => now >= grant.idleCheckAt);
    if (due.length === 0 || !this.map) return new Set();
    let used = new Set<string>();
    try {
      used = await this.map.tableKeys(IN_USE_TABLE);
    } catch (error) {
      // Unknown: treated as unused, so the next request goes through Kubelab and grants again.
      this.logger.warn(`Could not read which port grants are in use: ${(error as Error).message}`);
    }
    const idle = new Set<Grant>();
    for (const grant of due) {
      if (used.has(grant.key)) grant.idleCheckAt = now + GRANT_IDLE_MS;
      else idle.add(grant);
    }
    return idle;
  }

  private async stillAllowed(grant: Grant): Promise<boolean> {
    try {
      const target = await this.access.resolve(grant.address, this.credentialOf(grant));
      return !target.relay && `${target.ip}:${target.port}:${grant.address.node}` === grant.value;
    } catch {
      return false;
    }
  }

  private credentialOf(grant: Grant): PortCredential {
    if (grant.form === "host" || grant.token === undefined) return { form: "host", portCookie: grant.token };
    // Only the cookie is read from a path-form request's credential (RequestAuth.userOf).
    const req = { headers: { cookie: `${loginCookieName(this.config)}=${grant.token}` } } as IncomingMessage;
    return { form: "path", req };
  }
}
