import {
  TERMINAL_CLOSE_CODES,
  ZTerminalServerMessage,
  type TTerminalServerMessage,
  type TTerminalWatchers,
  type TTerminalWatchState,
} from "@kubelab/shared";
import { encodeInput, splitIntoChunks } from "./input-chunks";
import { reconnectDelay } from "./reconnect-delay";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "exited" | "closed";

export interface ConnectionState {
  status: ConnectionStatus;
  /** Exit code of the shell when status is "exited" (null when killed by a signal). */
  exitCode?: number | null;
  /** Why the connection was closed for good (status "closed"), from the server's close frame (English). */
  reason?: string;
  /** The close code when status is "closed": TERMINAL_CLOSE_CODES.sessionEnded or sessionFailed. */
  closeCode?: number;
}

export interface TerminalTarget {
  sessionId: string;
  node: string;
  terminalId: string;
  /**
   * Watch the session as this event's instructor (the watch endpoint, read-only until a take-over)
   * instead of opening it as its owner. A watcher never sends its size: the screen is the attendee's.
   */
  watchEventId?: string;
}

/** The part of a browser WebSocket the connection uses; tests drive a fake one. */
export interface TerminalSocket {
  binaryType: BinaryType;
  readonly readyState: number;
  onmessage: ((event: MessageEvent<ArrayBuffer | string>) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number): void;
}

export interface TerminalConnectionOptions {
  /** Opens the socket; the browser's WebSocket by default. */
  openSocket?: (url: string) => TerminalSocket;
  /** `ws://host` or `wss://host` of the API; the page's own origin by default. */
  socketOrigin?: () => string;
  /** Jitter source for the reconnect delays. */
  random?: () => number;
}

// WebSocket readyState values (WHATWG WebSockets), so the rules below need no browser global.
const CONNECTING = 0;
const OPEN = 1;

function pageSocketOrigin(): string {
  return `${window.location.protocol === "https:" ? "wss:" : "ws:"}//${window.location.host}`;
}

export interface TerminalConnectionEvents {
  onState(state: ConnectionState): void;
  onOutput(bytes: Uint8Array): void;
  /** A new shell replaced the one whose output is on screen: clear it. */
  onReset(): void;
  /** Output was lost because the server's replay buffer no longer reached back far enough. */
  /** `null`: the server restarted and attached to the shell again; how much was lost is unknown. */
  onGap(lostBytes: number | null): void;
  /** Watch connections: whether this watcher's input reaches the shell, and may. */
  onWatch?(state: TTerminalWatchState): void;
  /** The attendee's own connections: who is watching the session. */
  onWatchers?(message: TTerminalWatchers): void;
  /** An error message from the server (e.g. `read_only` when a watcher types). */
  onServerError?(code: string, message: string): void;
}

/**
 * Client side of the terminal WebSocket protocol (docs/terminal-protocol.md):
 * tracks the output offset from `hello` and binary frames, resumes after a
 * drop with `resume=<seq>`, backs off between attempts, and stops for good on
 * the close codes that say reconnecting is pointless. Knows nothing about
 * React or xterm, so its rules can be read (and tested) on their own.
 */
export class TerminalConnection {
  private socket: TerminalSocket | null = null;
  /** Offset of the next output byte; null until the first hello (then the server sends its whole replay buffer). */
  private seq: number | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private exitCode: number | null | undefined;
  private state: ConnectionState = { status: "connecting" };
  private disposed = false;

  constructor(
    private readonly target: TerminalTarget,
    private readonly events: TerminalConnectionEvents,
    private size: { cols: number; rows: number },
    private readonly options: TerminalConnectionOptions = {},
  ) {}

  get status(): ConnectionStatus {
    return this.state.status;
  }

  connect(): void {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    this.detachSocket();
    const url = this.url();
    const socket = this.options.openSocket ? this.options.openSocket(url) : new WebSocket(url);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => this.handleMessage(event.data);
    socket.onclose = (event) => this.handleClose(event);
    // Errors are always followed by a close event, which decides what to do.
    socket.onerror = () => undefined;
    this.socket = socket;
  }

  /** Sends keystrokes or pasted text; returns false when not connected (input is dropped, as on a dead line). */
  send(data: string | Uint8Array, kind: "text" | "binary" = "text"): boolean {
    const socket = this.socket;
    if (this.state.status !== "connected" || socket?.readyState !== OPEN) return false;
    const bytes = typeof data === "string" ? encodeInput(data, kind) : data;
    for (const chunk of splitIntoChunks(bytes)) socket.send(chunk);
    return true;
  }

  /** A watcher asks to type; the answer comes as `onWatch`. False when not connected. */
  takeover(): boolean {
    const socket = this.socket;
    if (this.state.status !== "connected" || socket?.readyState !== OPEN) return false;
    socket.send(JSON.stringify({ type: "takeover" }));
    return true;
  }

  resize(cols: number, rows: number): void {
    const clamp = (value: number) => Math.min(1000, Math.max(2, Math.floor(value)));
    this.size = { cols: clamp(cols), rows: clamp(rows) };
    this.sendResize();
  }

  /** After the shell exited: start a fresh one under the same terminal id. */
  restart(): void {
    if (this.disposed) return;
    this.seq = null;
    this.exitCode = undefined;
    this.attempt = 0;
    this.events.onReset();
    this.setState({ status: "connecting" });
    this.connect();
  }

  /** Skips the backoff wait, e.g. when the browser reports it is back online. */
  reconnectNow(): void {
    if (this.state.status === "reconnecting") this.connect();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.detachSocket();
  }

  private url(): string {
    const { sessionId, node, terminalId, watchEventId } = this.target;
    const query = new URLSearchParams({ terminal: terminalId });
    if (this.seq !== null) query.set("resume", String(this.seq));
    if (!watchEventId) {
      query.set("cols", String(this.size.cols));
      query.set("rows", String(this.size.rows));
    }
    const nodePath = `/sessions/${encodeURIComponent(sessionId)}/nodes/${encodeURIComponent(node)}`;
    const path = watchEventId
      ? `/api/events/${encodeURIComponent(watchEventId)}${nodePath}/watch`
      : `/api${nodePath}/terminal`;
    return `${(this.options.socketOrigin ?? pageSocketOrigin)()}${path}?${query.toString()}`;
  }

  private handleMessage(data: ArrayBuffer | string): void {
    if (this.disposed) return;
    if (typeof data !== "string") {
      if (this.seq !== null) this.seq += data.byteLength;
      this.events.onOutput(new Uint8Array(data));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = ZTerminalServerMessage.safeParse(json);
    if (parsed.success) this.handleControl(parsed.data);
  }

  private handleControl(message: TTerminalServerMessage): void {
    switch (message.type) {
      case "hello":
        // A new shell after we had output (server restart, grace period over): old screen is stale.
        if (message.created && this.seq !== null) this.events.onReset();
        this.seq = message.seq;
        this.attempt = 0;
        this.setState({ status: "connected" });
        // The query carried the size for a new shell; an existing one may have another size.
        this.sendResize();
        return;
      case "gap":
        this.seq = message.to;
        this.events.onGap(message.restarted ? null : message.to - message.from);
        return;
      case "exit":
        this.exitCode = message.code;
        return;
      case "error":
        if (this.events.onServerError) this.events.onServerError(message.code, message.message);
        else
          console.warn(`terminal ${this.target.node}/${this.target.terminalId}: ${message.code}: ${message.message}`);
        return;
      case "watch":
        this.events.onWatch?.(message);
        return;
      case "watchers":
        this.events.onWatchers?.(message);
        return;
      default: {
        const unexpected: never = message;
        return unexpected;
      }
    }
  }

  private handleClose(event: CloseEvent): void {
    if (this.disposed) return;
    this.socket = null;
    switch (event.code) {
      case TERMINAL_CLOSE_CODES.terminalExited:
        this.setState({ status: "exited", exitCode: this.exitCode ?? null });
        return;
      case TERMINAL_CLOSE_CODES.sessionEnded:
      case TERMINAL_CLOSE_CODES.sessionFailed:
        // The session is gone or broken: reconnecting would only be refused.
        this.setState({ status: "closed", reason: event.reason || `close code ${event.code}`, closeCode: event.code });
        return;
      default:
        this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    this.setState({ status: "reconnecting" });
    const delay = reconnectDelay(this.attempt, this.options.random);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private sendResize(): void {
    // The server ignores a watcher's size; not sending it keeps the protocol honest.
    if (this.target.watchEventId) return;
    const socket = this.socket;
    if (this.state.status !== "connected" || socket?.readyState !== OPEN) return;
    socket.send(JSON.stringify({ type: "resize", cols: this.size.cols, rows: this.size.rows }));
  }

  private detachSocket(): void {
    const socket = this.socket;
    if (!socket) return;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) socket.close(1000);
    this.socket = null;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    if (!this.disposed) this.events.onState(state);
  }
}
