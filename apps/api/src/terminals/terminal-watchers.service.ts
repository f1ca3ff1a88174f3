import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import type { TTerminalServerMessage, TTerminalWatchers } from "@kubelab/shared";
import type { WebSocket } from "ws";
import { takeoverGrant, type TakeoverGrant } from "../access/watch-access-rules";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { PrismaService } from "../database/prisma.service";
import { RoomSignals } from "../events/room-signals";
import type { TerminalWatcherHooks } from "./terminal";
import { underGrant, watchersMessage } from "./watcher-state";

// How often the take-over permission of watched sessions is read again: a help request opened or
// closed elsewhere reaches the watchers within this (a PUT takeover is applied at once).
const REFRESH_MS = 1_000;

/** Who watches what, for the audit log and the attendee's notice. */
export interface WatcherIdentity {
  userId: string;
  name: string;
  eventId: string;
  sessionId: string;
  node: string;
  terminalId: string;
  clientAddress: string;
}

/** One watcher socket. Its state changes only through TerminalWatchers. */
export class Watcher implements TerminalWatcherHooks {
  typing = false;
  /** A take-over being checked and recorded: further requests wait for its answer. */
  granting = false;

  constructor(
    readonly who: WatcherIdentity,
    readonly ws: WebSocket,
    public mayTakeOver: TakeoverGrant,
    private readonly hub: TerminalWatchers,
  ) {}

  takeover(): void {
    void this.hub.takeover(this);
  }
}

/**
 * The watchers of attendees' terminals (issue 16): their take-over state, kept in step with the
 * attendee's permission (take-over allowed, or an open help request), and the list each attendee's
 * own sockets are told about (`watchers` messages, sent by TerminalRegistry on `onChange`).
 * In memory: a watcher exists as long as its socket.
 */
@Injectable()
export class TerminalWatchers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("TerminalWatchers");
  private readonly bySession = new Map<string, Set<Watcher>>();
  private readonly changeListeners: ((sessionId: string) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditLog,
    private readonly signals: RoomSignals,
  ) {}

  /**
   * A help request raised or closed changes what watchers may do: the rooms' signals (fired by
   * HelpRequests) re-read the permissions at once instead of at the next one-second pass. Only
   * while someone watches, so attendees' hands cost nothing otherwise.
   */
  onApplicationBootstrap(): void {
    this.unsubscribe = this.signals.subscribe(() => {
      if (this.bySession.size === 0) return;
      void this.refreshAll();
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** Called when a session's list of watchers (or who of them is typing) changes. */
  onChange(listener: (sessionId: string) => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Registers a watcher socket already attached to its terminal: it gets its `watch` state and the
   * attendee learns about it. It leaves when the socket closes.
   */
  add(who: WatcherIdentity, ws: WebSocket, mayTakeOver: TakeoverGrant): Watcher {
    const watcher = new Watcher(who, ws, mayTakeOver, this);
    let watchers = this.bySession.get(who.sessionId);
    if (!watchers) this.bySession.set(who.sessionId, (watchers = new Set()));
    watchers.add(watcher);
    ws.on("close", () => this.remove(watcher));
    this.timer ??= setInterval(() => void this.refreshAll(), REFRESH_MS).unref();
    return watcher;
  }

  /** After the terminal attached the socket (hello and the current screen went first). */
  started(watcher: Watcher): void {
    this.sendState(watcher);
    this.changed(watcher.who.sessionId);
  }

  /** The message for the attendee's sockets: one entry per watching user, by name. */
  message(sessionId: string): TTerminalWatchers {
    return watchersMessage([...(this.bySession.get(sessionId) ?? [])].map((w) => ({ ...w.who, typing: w.typing })));
  }

  /**
   * A watcher asks to type: granted (and recorded in the audit log first) if the attendee's
   * permission holds now, read again from the database; answered with a `watch` message either way.
   */
  async takeover(watcher: Watcher): Promise<void> {
    if (watcher.granting) return;
    if (watcher.typing) return this.sendState(watcher);
    watcher.granting = true;
    try {
      await this.refresh([watcher.who.sessionId]);
      const grant = watcher.mayTakeOver;
      if (grant === "no") return this.sendState(watcher);
      const { who } = watcher;
      await this.audit.record({
        actorId: who.userId,
        action: AUDIT_ACTIONS.terminalTakeover,
        targetType: "session",
        targetId: who.sessionId,
        detail: { eventId: who.eventId, node: who.node, terminal: who.terminalId, because: grant },
        clientAddress: who.clientAddress,
      });
      if (watcher.ws.readyState !== watcher.ws.OPEN || watcher.mayTakeOver === "no") return this.sendState(watcher);
      watcher.typing = true;
      this.logger.log(`${who.userId} took over ${who.sessionId}/${who.node}/${who.terminalId} (${grant})`);
      this.sendState(watcher);
      this.changed(who.sessionId);
    } catch (error) {
      this.logger.warn(`Take-over of ${watcher.who.sessionId} failed: ${(error as Error).message}`);
      this.send(watcher, { type: "error", code: "internal_error", message: "The take-over could not be recorded" });
    } finally {
      watcher.granting = false;
    }
  }

  /**
   * Reads the sessions' permission again and applies it: a watcher whose permission is gone stops
   * typing. Watchers are told when their state changes, attendees when someone stops typing.
   */
  async refresh(sessionIds: readonly string[]): Promise<void> {
    const watched = sessionIds.filter((id) => this.bySession.has(id));
    if (watched.length === 0) return;
    const rows = await this.prisma.labSession.findMany({
      where: { id: { in: watched } },
      select: {
        id: true,
        takeoverAllowed: true,
        helpRequests: { where: { openSessionId: { not: null } }, select: { id: true }, take: 1 },
      },
    });
    const grants = new Map(
      rows.map((r) => [
        r.id,
        takeoverGrant({ takeoverAllowed: r.takeoverAllowed, openHelpRequest: r.helpRequests.length > 0 }),
      ]),
    );
    for (const sessionId of watched) {
      // A session gone from the database grants nothing; its sockets are closed as it stops.
      const grant = grants.get(sessionId) ?? "no";
      let typingChanged = false;
      for (const watcher of this.bySession.get(sessionId) ?? []) {
        const next = underGrant(watcher, grant);
        if (!next.changed) continue;
        watcher.typing = next.typing;
        watcher.mayTakeOver = next.mayTakeOver;
        typingChanged ||= next.stoppedTyping;
        this.sendState(watcher);
      }
      if (typingChanged) this.changed(sessionId);
    }
  }

  private async refreshAll(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      await this.refresh([...this.bySession.keys()]);
    } catch (error) {
      this.logger.debug(`Refreshing take-over permissions failed: ${(error as Error).message}`);
    } finally {
      this.refreshing = false;
    }
  }

  private remove(watcher: Watcher): void {
    const watchers = this.bySession.get(watcher.who.sessionId);
    if (!watchers?.delete(watcher)) return;
    if (watchers.size === 0) this.bySession.delete(watcher.who.sessionId);
    if (this.bySession.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.changed(watcher.who.sessionId);
  }

  private changed(sessionId: string): void {
    for (const listener of this.changeListeners) listener(sessionId);
  }

  private sendState(watcher: Watcher): void {
    this.send(watcher, { type: "watch", typing: watcher.typing, mayTakeOver: watcher.mayTakeOver });
  }

  private send(watcher: Watcher, message: TTerminalServerMessage): void {
    if (watcher.ws.readyState === watcher.ws.OPEN) watcher.ws.send(JSON.stringify(message));
  }
}
