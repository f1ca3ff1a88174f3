import { Inject, Injectable } from "@nestjs/common";
import { comparePortEntries, type TPortEntry, type TPortList } from "@kubelab/shared";
import { SessionAccess } from "../access/session-access.service";
import { isSessionReady } from "../access/session-access-rules";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { User } from "../generated/prisma/client";
import { PortAccess } from "./port-access.service";
import { portUrls } from "./port-address";
import type { DetectedPort } from "./port-discovery";
import { PortWatcher } from "./port-watcher.service";
import { PortGrants } from "./haproxy/port-grants";

/** The port list of a session (detected ∪ public) and the owner's public/private switch. */
@Injectable()
export class PortsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sessionAccess: SessionAccess,
    private readonly watcher: PortWatcher,
    private readonly access: PortAccess,
    private readonly grants: PortGrants,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(user: User, sessionId: string): Promise<TPortList> {
    const session = await this.sessionAccess.session(user, sessionId);
    const detected = isSessionReady(session) ? await this.watcher.current(session.id) : [];
    return this.build(session.id, detected);
  }

  /** Callers have checked ownership. */
  async build(sessionId: string, detected: DetectedPort[]): Promise<TPortList> {
    const shared = await this.prisma.publicPort.findMany({ where: { sessionId } });
    const entries = new Map<string, TPortEntry>();
    const add = (node: string, port: number, isPublic: boolean, found: DetectedPort | undefined): void => {
      const key = `${node}:${port}`;
      const previous = entries.get(key);
      entries.set(key, {
        node,
        port,
        public: isPublic || (previous?.public ?? false),
        detected: found !== undefined || (previous?.detected ?? false),
        service: found?.service ?? previous?.service ?? null,
        urls: portUrls(this.config, { sessionId, node, port }),
      });
    };
    for (const p of detected) add(p.node, p.port, false, p);
    for (const p of shared) add(p.node, p.port, true, undefined);
    const ports = [...entries.values()].sort(comparePortEntries);
    return { ports };
  }

  /** A change of visibility is audited (before it takes effect); setting the same one again is not. */
  async setPublic(
    user: User,
    sessionId: string,
    node: string,
    port: number,
    isPublic: boolean,
    address: string,
  ): Promise<TPortEntry> {
    const { session } = await this.sessionAccess.node(user, sessionId, node, "manage");
    const key = { sessionId_node_port: { sessionId: session.id, node, port } };
    const wasPublic = (await this.prisma.publicPort.findUnique({ where: key })) !== null;
    if (wasPublic !== isPublic) {
      await this.audit.record({
        actorId: user.id,
        action: isPublic ? AUDIT_ACTIONS.portMadePublic : AUDIT_ACTIONS.portMadePrivate,
        targetType: "port",
        targetId: `${session.id}/${node}/${port}`,
        detail: { sessionId: session.id, node, port, before: { public: wasPublic }, after: { public: isPublic } },
        clientAddress: address,
      });
    }
    if (isPublic) {
      await this.prisma.publicPort.upsert({ where: key, create: { sessionId: session.id, node, port }, update: {} });
    } else {
      await this.prisma.publicPort.deleteMany({ where: { sessionId: session.id, node, port } });
    }
    this.access.forget(session.id);
    // Before the answer: HAProxy must not carry another request on a grant that ended here.
    await this.grants.revokeSession(session.id);
    this.watcher.refresh(session.id);
    const found = (await this.watcher.current(session.id)).find((p) => p.node === node && p.port === port);
    return {
      node,
      port,
      public: isPublic,
      detected: found !== undefined,
      service: found?.service ?? null,
      urls: portUrls(this.config, { sessionId: session.id, node, port }),
    };
  }
}
