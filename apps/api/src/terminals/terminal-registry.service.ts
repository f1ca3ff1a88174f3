import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from "@nestjs/common";
import { TERMINAL_CLOSE_CODES } from "@kubelab/shared";
import type { WebSocket } from "ws";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { Metrics } from "../metrics/metrics.service";
import { DockerEngines } from "../nodes/docker-engines.service";
import type { ShellExec } from "../nodes/docker-exec";
import { SessionEvents } from "../sessions/session-events";
import { holderCommand, NO_HOLDER_EXIT_CODE, plainShellCommand, TERMINALS_DIR } from "./held-shell";
import { HeldShellStream, type HolderAttach } from "./held-shell-stream";
import { TerminalActivity } from "./terminal-activity";
import { Terminal, type TerminalWatcherHooks } from "./terminal";
import { TerminalWatchers } from "./terminal-watchers.service";

export interface TerminalTarget {
  sessionId: string;
  node: string;
  containerId: string;
  terminalId: string;
}

// How long the attach command may take to start or find the held shell and replay its output.
const ATTACH_TIMEOUT_MS = 15_000;
// Nodes found without python3 (custom images): their terminals are plain shells from then on.
const NODES_WITHOUT_HOLDER_MAX = 10_000;
const SHELL_ENV = ["TERM=xterm-256color", "COLORTERM=truecolor", "LANG=C.UTF-8"];

/** All live terminals of this process: creation, attachment, grace periods, and teardown with their sessions. */
@Injectable()
export class TerminalRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger("TerminalRegistry");
  private readonly terminals = new Map<string, Terminal>();
  private readonly creating = new Map<string, Promise<Terminal>>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private pingTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly nodesWithoutHolder = new Set<string>();

  constructor(
    private readonly engines: DockerEngines,
    private readonly events: SessionEvents,
    private readonly activity: TerminalActivity,
    private readonly watchers: TerminalWatchers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.events.onStopped(({ sessionId, outcome, reason }) => {
      const code = outcome === "failed" ? TERMINAL_CLOSE_CODES.sessionFailed : TERMINAL_CLOSE_CODES.sessionEnded;
      this.closeSession(sessionId, code, `session ${outcome}: ${reason}`);
    });
    this.watchers.onChange((sessionId) => {
      const message = this.watchers.message(sessionId);
      for (const terminal of this.ofSession(sessionId)) terminal.sendToOwners(message);
    });
    this.pingTimer = setInterval(() => {
      for (const terminal of this.terminals.values()) terminal.ping();
    }, this.config.terminals.pingIntervalSeconds * 1000);
    this.pingTimer.unref();
  }

  /**
   * Sockets are closed with 1001 before Nest closes the HTTP server: that close waits for every
   * connection, upgraded ones included, so closing them afterwards (as before) meant the server
   * never closed, the shutdown deadline killed the process and clients saw 1006 instead.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.pingTimer);
    const reason = "the server is restarting; reconnect shortly";
    await Promise.all(
      [...this.terminals.values()].map((terminal) =>
        terminal.closeSockets(TERMINAL_CLOSE_CODES.serverShutdown, reason),
      ),
    );
  }

  onApplicationShutdown(): void {
    for (const terminal of this.terminals.values()) terminal.destroy();
  }

  countForNode(sessionId: string, node: string): number {
    const prefix = `${sessionId}/${node}/`;
    return [...this.terminals.keys(), ...this.creating.keys()].filter((key) => key.startsWith(prefix)).length;
  }

  exists(target: TerminalTarget): boolean {
    const key = keyOf(target);
    return this.terminals.has(key) || this.creating.has(key);
  }

  /** The running terminal (not one still starting), if any: watchers never start shells. */
  running(target: TerminalTarget): Terminal | undefined {
    const terminal = this.terminals.get(keyOf(target));
    return terminal && !terminal.hasExited ? terminal : undefined;
  }

  /** Ids of a node's running terminals, "main" first (the attendee's first tab), then by id. */
  terminalIds(sessionId: string, node: string): string[] {
    return this.ofSession(sessionId)
      .filter((t) => t.options.node === node)
      .map((t) => t.options.id)
      .sort((a, b) => Number(b === "main") - Number(a === "main") || a.localeCompare(b));
  }

  /**
   * Attaches a watcher's socket to a running terminal, from the current screen (or `resume`).
   * False if the terminal ended meanwhile; the socket is closed then.
   */
  watch(target: TerminalTarget, ws: WebSocket, resume: number | undefined, watcher: TerminalWatcherHooks): boolean {
    const terminal = this.running(target);
    if (this.shuttingDown) ws.close(TERMINAL_CLOSE_CODES.serverShutdown, "the server is restarting; reconnect shortly");
    else if (!terminal) ws.close(TERMINAL_CLOSE_CODES.terminalExited, "the terminal is no longer open");
    if (!terminal || this.shuttingDown || ws.readyState !== ws.OPEN) return false;
    terminal.attach(ws, false, resume, { watcher });
    return true;
  }

  /** Attaches a socket to the terminal, starting the shell first if it does not run yet. */
  async attach(
    target: TerminalTarget,
    ws: WebSocket,
    resume: number | undefined,
    size?: { cols: number; rows: number },
  ): Promise<void> {
    if (this.shuttingDown) {
      ws.close(TERMINAL_CLOSE_CODES.serverShutdown, "the server is restarting; reconnect shortly");
      return;
    }
    const key = keyOf(target);
    let terminal = this.terminals.get(key);
    let created = false;
    if (!terminal) {
      let pending = this.creating.get(key);
      const first = !pending;
      if (!pending) {
        pending = this.start(target, size).finally(() => this.creating.delete(key));
        this.creating.set(key, pending);
      }
      terminal = await pending;
      // A held shell that an earlier Kubelab process started is found, not created.
      created = first && !terminal.reattached;
    } else if (size) {
      await terminal.resize(size.cols, size.rows).catch(() => undefined);
    }
    clearTimeout(this.graceTimers.get(key));
    this.graceTimers.delete(key);
    if (ws.readyState !== ws.OPEN) {
      this.scheduleGrace(terminal);
      return;
    }
    terminal.attach(ws, created, created ? 0 : resume, { then: this.watchers.message(target.sessionId) });
  }

  /** Closes the sockets of a session's terminals; the shells end with the session's containers. */
  closeSession(sessionId: string, code: number, reason: string): void {
    for (const [key, terminal] of this.terminals) {
      if (!key.startsWith(`${sessionId}/`)) continue;
      void terminal.closeSockets(code, reason.slice(0, 120));
      terminal.destroy();
      this.forget(key);
    }
  }

  private async start(target: TerminalTarget, size?: { cols: number; rows: number }): Promise<Terminal> {
    const held =
      this.config.terminals.holder && !this.nodesWithoutHolder.has(target.containerId)
        ? await this.attachHeld(target, size)
        : undefined;
    const shell =
      held?.shell ??
      (await (
        await this.engines.forSession(target.sessionId)
      ).openShell(target.containerId, {
        cmd: plainShellCommand(target.terminalId),
        env: SHELL_ENV,
        workingDir: "/root",
      }));
    const terminal = new Terminal(
      {
        id: target.terminalId,
        sessionId: target.sessionId,
        node: target.node,
        containerId: target.containerId,
        replayBytes: this.config.terminals.replayBytes,
        ...(held
          ? {
              startSeq: held.attach.hello.start,
              reattached: held.attach.hello.state === "attached",
              initialOutput: held.attach.replay,
            }
          : {}),
        onTraffic: (direction, bytes) => this.metrics.terminalTraffic(direction, bytes),
      },
      shell,
    );
    // A held shell started with this size; one found running takes this window's size.
    if (size) await terminal.resize(size.cols, size.rows).catch(() => undefined);
    const key = keyOf(target);
    this.terminals.set(key, terminal);
    this.metrics.terminalOpened();
    terminal.onExit(() => this.forget(key));
    terminal.onIdle(() => this.scheduleGrace(terminal));
    terminal.onTyped(() => this.activity.touch(target.sessionId));
    const how = !held ? "started (not held)" : terminal.reattached ? "re-attached (held)" : "started (held)";
    this.logger.log(`Terminal ${key} ${how}`);
    return terminal;
  }

  /**
   * Attaches to the terminal's held shell through the holder, starting both if needed. Undefined
   * when the node cannot run the holder (no python3): the caller starts a plain shell.
   */
  private async attachHeld(
    target: TerminalTarget,
    size?: { cols: number; rows: number },
  ): Promise<{ shell: ShellExec; attach: HolderAttach } | undefined> {
    const engine = await this.engines.forSession(target.sessionId);
    const exec = await engine.openShell(target.containerId, {
      cmd: holderCommand(target.terminalId, this.config.terminals.replayBytes, size ?? { cols: 80, rows: 24 }),
      env: SHELL_ENV,
      workingDir: "/root",
      tty: false,
    });
    const stream = new HeldShellStream(exec.stream);
    let timer: NodeJS.Timeout | undefined;
    try {
      const attach = await Promise.race([
        stream.attached,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("no answer from the terminal holder")), ATTACH_TIMEOUT_MS);
        }),
      ]);
      const shell: ShellExec = {
        stream,
        resize: (cols, rows) => Promise.resolve(stream.resize(cols, rows)),
        exitCode: () => Promise.resolve(stream.exitStatus),
      };
      return { shell, attach };
    } catch (error) {
      stream.destroy();
      if ((await settledExitCode(exec)) !== NO_HOLDER_EXIT_CODE) throw error;
      if (this.nodesWithoutHolder.size >= NODES_WITHOUT_HOLDER_MAX) this.nodesWithoutHolder.clear();
      this.nodesWithoutHolder.add(target.containerId);
      this.logger.warn(`Node ${target.node} of ${target.sessionId} has no python3: its terminals are not held`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private scheduleGrace(terminal: Terminal): void {
    const key = terminal.key;
    clearTimeout(this.graceTimers.get(key));
    const timer = setTimeout(() => {
      if (terminal.ownerCount > 0) return;
      this.logger.log(
        `Terminal ${key} without its user's sockets for ${this.config.terminals.graceSeconds}s; ending it`,
      );
      void this.end(terminal);
    }, this.config.terminals.graceSeconds * 1000);
    timer.unref();
    this.graceTimers.set(key, timer);
  }

  /** Ends the shell and everything started in it, then forgets the terminal. */
  private async end(terminal: Terminal): Promise<void> {
    const { id, containerId, sessionId } = terminal.options;
    this.forget(terminal.key);
    // Only watchers can be left: the terminal's life is the attendee's, not theirs.
    void terminal.closeSockets(TERMINAL_CLOSE_CODES.terminalExited, "the attendee's terminal was closed");
    terminal.destroy();
    // The shell's session: everything started in it. A held shell's holder then sees it exit,
    // tells every attached Kubelab process and ends too.
    const file = `${TERMINALS_DIR}/${id}`;
    await this.engines
      .forSession(sessionId)
      .then((engine) =>
        engine.exec(
          containerId,
          ["/bin/sh", "-c", `pid=$(cat ${file}.pid) && rm -f ${file}.pid && pkill -KILL -s "$pid"`],
          5_000,
        ),
      )
      .catch((error: unknown) => this.logger.debug(`Ending ${terminal.key}: ${(error as Error).message}`));
  }

  private ofSession(sessionId: string): Terminal[] {
    return [...this.terminals.values()].filter((t) => t.options.sessionId === sessionId);
  }

  private forget(key: string): void {
    if (this.terminals.delete(key)) this.metrics.terminalClosed();
    clearTimeout(this.graceTimers.get(key));
    this.graceTimers.delete(key);
  }
}

/** The exit code of an exec whose stream ended: Docker may report it as running for a moment. */
async function settledExitCode(exec: ShellExec): Promise<number | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const code = await exec.exitCode().catch(() => null);
    if (code !== null) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

function keyOf(target: TerminalTarget): string {
  return `${target.sessionId}/${target.node}/${target.terminalId}`;
}
