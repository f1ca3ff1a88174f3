import { Injectable } from "@nestjs/common";
import type { TTakeoverSetting, TWatchTargets } from "@kubelab/shared";
import type { WebSocket } from "ws";
import { SESSION_ID, SessionAccess } from "../access/session-access.service";
import { usableNode, type Viewer } from "../access/session-access-rules";
import { attendeeSessionOf } from "../access/event-access-rules";
import { takeoverGrant, type TakeoverGrant } from "../access/watch-access-rules";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import { EventsService } from "../events/events.service";
import type { User } from "../generated/prisma/client";
import { TerminalRegistry, type TerminalTarget } from "./terminal-registry.service";
import { TerminalWatchers, type WatcherIdentity } from "./terminal-watchers.service";

/** A watch the upgrade handler checked and the audit log recorded: what to attach the socket to. */
export interface CheckedWatch {
  target: TerminalTarget;
  who: WatcherIdentity;
  mayTakeOver: TakeoverGrant;
}

/**
 * Watching an attendee's terminal (issue 16): who may watch what (rules in
 * access/watch-access-rules.ts and event-access-rules.ts), the watch page's list of terminals, and
 * the attendee's take-over switch.
 */
@Injectable()
export class TerminalWatch {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventsService,
    private readonly access: SessionAccess,
    private readonly registry: TerminalRegistry,
    private readonly watchers: TerminalWatchers,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Everything the watch WebSocket checks after the login (the event's instructor or an admin; an
   * attendee's session of that event, ready; the node; a terminal that runs already), then the
   * audit entry: a watch that could not be recorded does not happen.
   */
  async check(
    viewer: User,
    eventId: string,
    sessionId: string,
    nodeName: string,
    terminalId: string,
    clientAddress: string,
  ): Promise<CheckedWatch> {
    const { event, session, mayTakeOver } = await this.load(viewer, eventId, sessionId);
    const node = usableNode(session, nodeName, "terminal");
    const target: TerminalTarget = {
      sessionId: session.id,
      node: node.name,
      containerId: node.containerId!,
      terminalId,
    };
    if (!this.registry.running(target))
      throw new AppError(
        "not_found",
        `${node.name} has no open terminal "${terminalId}"; the attendee opens terminals`,
      );
    const who: WatcherIdentity = {
      userId: viewer.id,
      name: viewer.name,
      eventId: event.id,
      sessionId: session.id,
      node: node.name,
      terminalId,
      clientAddress,
    };
    await this.audit.record({
      actorId: viewer.id,
      action: AUDIT_ACTIONS.terminalWatch,
      targetType: "session",
      targetId: session.id,
      detail: { eventId: event.id, node: node.name, terminal: terminalId },
      clientAddress,
    });
    return { target, who, mayTakeOver };
  }

  /** Attaches the upgraded socket: hello, the current screen, live output, then its `watch` state. */
  attach(watch: CheckedWatch, ws: WebSocket, resume: number | undefined): void {
    const watcher = this.watchers.add(watch.who, ws, watch.mayTakeOver);
    if (this.registry.watch(watch.target, ws, resume, watcher)) this.watchers.started(watcher);
  }

  /** GET /api/events/:id/sessions/:sessionId/terminals: what the watch page can open. */
  async targets(viewer: Viewer, eventId: string, sessionId: string): Promise<TWatchTargets> {
    const { session } = await this.load(viewer, eventId, sessionId);
    return {
      sessionId: session.id,
      userId: session.ownerId,
      name: session.owner?.name ?? "",
      status: session.status,
      nodes: [...session.nodes]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((node) => ({ name: node.name, terminals: this.registry.terminalIds(session.id, node.name) })),
      takeoverAllowed: session.takeoverAllowed,
      helpRequestId: session.helpRequests[0]?.id ?? null,
    };
  }

  /** GET /api/sessions/:id/takeover: the owner's switch as it stands (the lab page's notice). */
  async takeover(viewer: Viewer, sessionId: string): Promise<TTakeoverSetting> {
    return { allowed: (await this.access.session(viewer, sessionId)).takeoverAllowed };
  }

  /** PUT /api/sessions/:id/takeover, by the session's owner; watchers learn it at once. */
  async setTakeover(viewer: Viewer, sessionId: string, setting: TTakeoverSetting): Promise<TTakeoverSetting> {
    const session = await this.access.session(viewer, sessionId);
    if (!session.eventId) throw new AppError("conflict", "Take-over is for sessions of a classroom event");
    await this.prisma.labSession.update({ where: { id: session.id }, data: { takeoverAllowed: setting.allowed } });
    await this.watchers.refresh([session.id]);
    return { allowed: setting.allowed };
  }

  private async load(viewer: Viewer, eventId: string, sessionId: string) {
    const event = await this.events.find(viewer, eventId);
    const row = SESSION_ID.test(sessionId)
      ? await this.prisma.labSession.findUnique({
          where: { id: sessionId },
          include: {
            nodes: true,
            owner: { select: { name: true } },
            helpRequests: { where: { openSessionId: { not: null } }, select: { id: true }, take: 1 },
          },
        })
      : null;
    const session = attendeeSessionOf(event, row);
    const mayTakeOver = takeoverGrant({
      takeoverAllowed: session.takeoverAllowed,
      openHelpRequest: session.helpRequests.length > 0,
    });
    return { event, session, mayTakeOver };
  }
}
