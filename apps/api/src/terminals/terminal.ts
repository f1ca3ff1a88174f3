import type { Duplex } from "node:stream";
import { Logger } from "@nestjs/common";
import { TERMINAL_CLOSE_CODES, ZTerminalClientMessage, type TTerminalServerMessage } from "@kubelab/shared";
import type { WebSocket } from "ws";
import type { ShellExec } from "../nodes/docker-exec";
import { TerminalReplayBuffer } from "./terminal-replay-buffer";

// Output flow control per socket: above HIGH unacknowledged bytes the exec
// stream is paused (the shell blocks on its TTY); below LOW it resumes.
const HIGH_WATERMARK = 256 * 1024;
const LOW_WATERMARK = 64 * 1024;
// A watcher never slows the attendee's shell down: one further behind than the replay buffer
// (plus HIGH_WATERMARK, so that a fresh watcher's replay of a full buffer fits) is closed with 1013
// ("try again later") and comes back with `resume`.
const WATCHER_TOO_SLOW_CODE = 1013;

// Large replays go out in frames of this size so the browser stays responsive.
const REPLAY_FRAME_BYTES = 64 * 1024;

/**
 * What a watcher socket (an event's instructor on the watch endpoint, issue 16) needs from whoever
 * decides about take-over (TerminalWatchers): the terminal only asks and forwards.
 */
export interface TerminalWatcherHooks {
  /** Whether the watcher's input reaches the shell now (a take-over was granted and still holds). */
  readonly typing: boolean;
  /** The watcher sent {"type":"takeover"}; the answer is a `watch` message, sent by the hooks. */
  takeover(): void;
}

interface AttachedSocket {
  ws: WebSocket;
  pending: number;
  alive: boolean;
  /** Set for watcher sockets; the attendee's own sockets ("owners") have none. */
  watcher?: TerminalWatcherHooks;
}

export interface TerminalOptions {
  id: string;
  sessionId: string;
  node: string;
  containerId: string;
  replayBytes: number;
  /**
   * Offset of the first output byte known here: 0 for a shell started now; for a held shell, the
   * oldest byte its holder still had (the holder numbers output, so offsets hold across processes).
   */
  startSeq?: number;
  /** Whether the shell ran before this process attached to it (see held-shell.ts). */
  reattached?: boolean;
  /** Output replayed by the holder when this process attached (from startSeq on). */
  initialOutput?: Buffer;
  /** Counts bytes typed into the shell ("in") and written by it ("out"), for metrics. */
  onTraffic?: (direction: "in" | "out", bytes: number) => void;
}

/**
 * One shell in a node (a `docker exec` with a TTY) that outlives its
 * WebSockets: output is numbered by byte offset and kept in a bounded replay
 * buffer, so any number of sockets can watch it and a reconnecting one gets
 * exactly what it missed.
 */
export class Terminal {
  private readonly logger = new Logger("Terminal");
  private readonly buffer: TerminalReplayBuffer;
  private readonly sockets = new Set<AttachedSocket>();
  // Output offset when the attendee's last socket left: until one is back, reading stops before
  // the replay buffer would lose what that socket may have missed (watchers or not).
  private detachedAt = 0;
  private paused = false;
  private exited = false;
  private readonly exitListeners: ((code: number | null) => void)[] = [];
  private readonly idleListeners: (() => void)[] = [];
  private readonly inputListeners: (() => void)[] = [];
  private readonly stream: Duplex;

  constructor(
    readonly options: TerminalOptions,
    private readonly shell: ShellExec,
  ) {
    const stream = (this.stream = shell.stream);
    this.buffer = new TerminalReplayBuffer(options.replayBytes, options.startSeq ?? 0);
    this.detachedAt = this.buffer.endSeq;
    stream.on("data", (chunk: Buffer) => {
      options.onTraffic?.("out", chunk.length);
      this.onOutput(chunk);
    });
    stream.on("end", () => void this.onEnd());
    stream.on("error", (error) => {
      this.logger.warn(`Terminal ${this.key} stream error: ${error.message}`);
      void this.onEnd();
    });
    if (options.initialOutput?.length) this.onOutput(options.initialOutput);
    stream.resume();
  }

  /** Whether this process attached to a shell that an earlier Kubelab process started. */
  get reattached(): boolean {
    return this.options.reattached ?? false;
  }

  get key(): string {
    return `${this.options.sessionId}/${this.options.node}/${this.options.id}`;
  }

  get socketCount(): number {
    return this.sockets.size;
  }

  /** The attendee's own sockets: only they keep the terminal from its grace period (watchers do not). */
  get ownerCount(): number {
    return [...this.sockets].filter((s) => !s.watcher).length;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  onExit(listener: (code: number | null) => void): void {
    this.exitListeners.push(listener);
  }

  /** Called on every input frame (keystrokes, pastes); keep it cheap. */
  onTyped(listener: () => void): void {
    this.inputListeners.push(listener);
  }

  /** Called when the last of the attendee's own sockets leaves (watchers do not count). */
  onIdle(listener: () => void): void {
    this.idleListeners.push(listener);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.shell.resize(cols, rows);
  }

  /**
   * Adds a socket: hello, then the replay from `resume` (or the whole buffer), then `then` (e.g.
   * who is watching), then live output. `watcher`: a read-only socket whose input reaches the
   * shell only while `watcher.typing`.
   */
  attach(
    ws: WebSocket,
    created: boolean,
    resume: number | undefined,
    extra: { watcher?: TerminalWatcherHooks; then?: TTerminalServerMessage } = {},
  ): void {
    const attached: AttachedSocket = {
      ws,
      pending: 0,
      alive: true,
      ...(extra.watcher ? { watcher: extra.watcher } : {}),
    };
    // Beyond the end: an offset no process gave out for this shell (a client's bug): start afresh.
    const since = resume !== undefined && resume > this.buffer.endSeq ? 0 : resume;
    const { data, from, lost } = this.buffer.readFrom(since ?? 0);
    this.sendJson(ws, { type: "hello", terminal: this.options.id, node: this.options.node, created, seq: from });
    // A fresh view (no resume) of a long-running terminal simply starts at the buffer's start: not a gap.
    if (lost && since !== undefined)
      this.sendJson(ws, {
        type: "gap",
        from: lost.from,
        to: lost.to,
        ...(this.reattached ? { restarted: true } : {}),
      });
    for (let offset = 0; offset < data.length; offset += REPLAY_FRAME_BYTES) {
      this.sendBinary(attached, data.subarray(offset, offset + REPLAY_FRAME_BYTES));
    }
    if (extra.then) this.sendJson(ws, extra.then);
    this.sockets.add(attached);
    this.updateFlow();

    ws.on("pong", () => (attached.alive = true));
    ws.on("message", (payload: Buffer, isBinary: boolean) => this.onInput(attached, payload, isBinary));
    ws.on("close", () => {
      this.sockets.delete(attached);
      if (!attached.watcher && this.ownerCount === 0) {
        this.detachedAt = this.buffer.endSeq;
        for (const listener of this.idleListeners) listener();
      }
      this.updateFlow();
    });
  }

  /** Sends a control message to the attendee's own sockets (not to watchers). */
  sendToOwners(message: TTerminalServerMessage): void {
    for (const socket of this.sockets) if (!socket.watcher) this.sendJson(socket.ws, message);
  }

  /** Keep-alive: pings every socket; those that missed the previous ping are closed. */
  ping(): void {
    for (const socket of this.sockets) {
      if (!socket.alive) {
        socket.ws.close(TERMINAL_CLOSE_CODES.timeout, "no answer to keep-alive pings");
        continue;
      }
      socket.alive = false;
      socket.ws.ping();
    }
  }

  /**
   * Closes every socket with the given code; the shell itself is ended by the
   * caller. A client that does not answer the close handshake (it stopped
   * reading) is cut off after a second, so shutdown never hangs on it.
   * Resolves once every socket is closed.
   */
  closeSockets(code: number, reason: string): Promise<void> {
    const closing = [...this.sockets].map(({ ws }) => {
      if (ws.readyState === ws.CLOSED) return Promise.resolve();
      const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
      ws.close(code, reason);
      setTimeout(() => ws.terminate(), 1_000).unref();
      return closed;
    });
    return Promise.all(closing).then(() => undefined);
  }

  /** Stops reading; the exec's processes are ended separately (see TerminalRegistry). */
  destroy(): void {
    this.stream.destroy();
  }

  private onOutput(chunk: Buffer): void {
    this.buffer.append(chunk);
    for (const socket of this.sockets) this.sendBinary(socket, chunk);
    this.updateFlow();
  }

  private onInput(socket: AttachedSocket, payload: Buffer, isBinary: boolean): void {
    if (isBinary) {
      if (this.exited) return;
      if (socket.watcher && !socket.watcher.typing) {
        this.sendJson(socket.ws, {
          type: "error",
          code: "read_only",
          message: 'Watching is read-only: send {"type":"takeover"} once the attendee allows it or asks for help',
        });
        return;
      }
      // A watcher's typing is not the attendee's activity (the room's idle time stays theirs).
      if (!socket.watcher) for (const listener of this.inputListeners) listener();
      this.options.onTraffic?.("in", payload.length);
      // Backpressure on input too: a huge paste waits for the shell instead of piling up here.
      if (!this.stream.write(payload)) {
        socket.ws.pause();
        this.stream.once("drain", () => socket.ws.resume());
      }
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(payload.toString("utf8"));
    } catch {
      message = undefined;
    }
    const parsed = ZTerminalClientMessage.safeParse(message);
    if (!parsed.success) {
      this.sendJson(socket.ws, {
        type: "error",
        code: "bad_message",
        message: 'Text frames must be JSON control messages, e.g. {"type":"resize","cols":80,"rows":24}',
      });
      return;
    }
    switch (parsed.data.type) {
      case "takeover":
        if (socket.watcher) socket.watcher.takeover();
        else this.sendJson(socket.ws, { type: "error", code: "bad_message", message: "takeover is for watchers" });
        break;
      case "resize":
        // The screen's size is the attendee's: a watcher's window never reflows their shell.
        if (socket.watcher) break;
        this.resize(parsed.data.cols, parsed.data.rows).catch((error: unknown) =>
          this.logger.debug(`Resize of ${this.key} failed: ${(error as Error).message}`),
        );
        break;
    }
  }

  private sendBinary(socket: AttachedSocket, data: Buffer): void {
    if (data.length === 0 || socket.ws.readyState !== socket.ws.OPEN) return;
    socket.pending += data.length;
    socket.ws.send(data, { binary: true }, () => {
      socket.pending -= data.length;
      if (this.paused) this.updateFlow();
    });
  }

  private sendJson(ws: WebSocket, message: TTerminalServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  private updateFlow(): void {
    if (this.exited) return;
    const owners: AttachedSocket[] = [];
    for (const socket of this.sockets) {
      if (!socket.watcher) owners.push(socket);
      else if (socket.pending > this.buffer.capacity + HIGH_WATERMARK && socket.ws.readyState === socket.ws.OPEN)
        socket.ws.close(WATCHER_TOO_SLOW_CODE, "too far behind; reconnect with resume");
    }
    let shouldPause: boolean;
    if (owners.length === 0) {
      shouldPause = this.buffer.endSeq - this.detachedAt >= this.buffer.capacity / 2;
    } else {
      const worst = Math.max(...owners.map((s) => s.pending));
      shouldPause = this.paused ? worst > LOW_WATERMARK : worst > HIGH_WATERMARK;
    }
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.stream.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.stream.resume();
    }
  }

  private async onEnd(): Promise<void> {
    if (this.exited) return;
    this.exited = true;
    let code: number | null = null;
    try {
      code = await this.shell.exitCode();
    } catch {
      code = null; // the container is gone
    }
    for (const socket of this.sockets) {
      this.sendJson(socket.ws, { type: "exit", code });
      socket.ws.close(TERMINAL_CLOSE_CODES.terminalExited, "the shell exited");
    }
    for (const listener of this.exitListeners) listener(code);
  }
}
