import { once } from "node:events";
import { ZTerminalServerMessage, type TTerminalServerMessage } from "@kubelab/shared";
import WebSocket from "ws";
import type { ApiClient } from "./api-client";
import { waitFor } from "./wait-for";

export interface ConnectOptions {
  terminal?: string;
  resume?: number;
  cols?: number;
  rows?: number;
  /** Origin header; the server's public origin by default. */
  origin?: string | null;
  /** Watch the session as this event's instructor (the watch endpoint) instead of opening it as its owner. */
  watchEvent?: string;
}

/**
 * A real WebSocket client speaking the terminal protocol, as the web app
 * will: it tracks the output offset so it can resume after a drop.
 */
export class TerminalClient {
  output = Buffer.alloc(0);
  /** Output offset after the last byte received. */
  seq = 0;
  readonly messages: TTerminalServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.output = Buffer.concat([this.output, data]);
        this.seq += data.length;
        return;
      }
      const message = ZTerminalServerMessage.parse(JSON.parse(data.toString("utf8")));
      if (message.type === "hello") this.seq = message.seq;
      this.messages.push(message);
    });
    this.closed = once(ws, "close").then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  }

  static url(baseUrl: string, sessionId: string, node: string, options: ConnectOptions = {}): string {
    const path = options.watchEvent
      ? `/api/events/${options.watchEvent}/sessions/${sessionId}/nodes/${node}/watch`
      : `/api/sessions/${sessionId}/nodes/${node}/terminal`;
    const url = new URL(`${baseUrl.replace(/^http/, "ws")}${path}`);
    if (options.terminal) url.searchParams.set("terminal", options.terminal);
    if (options.resume !== undefined) url.searchParams.set("resume", String(options.resume));
    if (options.cols) url.searchParams.set("cols", String(options.cols));
    if (options.rows) url.searchParams.set("rows", String(options.rows));
    return url.href;
  }

  /** Opens a terminal and waits for the server's hello. */
  static async connect(
    client: ApiClient,
    publicOrigin: string,
    sessionId: string,
    node: string,
    options: ConnectOptions = {},
  ): Promise<TerminalClient> {
    const headers: Record<string, string> = {};
    if (client.cookieHeader) headers.cookie = client.cookieHeader;
    const origin = options.origin === undefined ? publicOrigin : options.origin;
    if (origin) headers.origin = origin;
    const ws = new WebSocket(TerminalClient.url(client.baseUrl, sessionId, node, options), { headers });
    const terminal = new TerminalClient(ws);
    await Promise.race([
      once(ws, "open"),
      once(ws, "unexpected-response").then((args) => {
        throw new Error(`upgrade refused with HTTP ${(args[1] as { statusCode: number }).statusCode}`);
      }),
    ]);
    await waitFor(
      "the hello message",
      () => (terminal.messages.some((m) => m.type === "hello") ? true : undefined),
      15_000,
      20,
    );
    return terminal;
  }

  /** Attempts an upgrade that should be refused; resolves to the HTTP status and JSON body. */
  static async refusal(
    client: ApiClient,
    publicOrigin: string,
    sessionId: string,
    node: string,
    options: ConnectOptions = {},
  ): Promise<{ status: number; body: { error: { code: string } }; requestId: string | undefined }> {
    const headers: Record<string, string> = {};
    if (client.cookieHeader) headers.cookie = client.cookieHeader;
    const origin = options.origin === undefined ? publicOrigin : options.origin;
    if (origin) headers.origin = origin;
    const ws = new WebSocket(TerminalClient.url(client.baseUrl, sessionId, node, options), { headers });
    ws.on("error", () => undefined);
    const [, res] = (await Promise.race([
      once(ws, "unexpected-response"),
      once(ws, "open").then(() => {
        ws.terminate();
        throw new Error("the upgrade was accepted");
      }),
    ])) as [unknown, NodeJS.ReadableStream & { statusCode: number; headers: Record<string, string | undefined> }];
    let text = "";
    for await (const chunk of res) text += String(chunk);
    ws.terminate();
    return {
      status: res.statusCode,
      body: JSON.parse(text) as { error: { code: string } },
      requestId: res.headers["x-request-id"],
    };
  }

  text(): string {
    return this.output.toString("utf8");
  }

  send(input: string | Buffer): void {
    this.ws.send(typeof input === "string" ? Buffer.from(input) : input, { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.ws.send(JSON.stringify({ type: "resize", cols, rows }));
  }

  /** A watcher asks to type. */
  takeover(): void {
    this.ws.send(JSON.stringify({ type: "takeover" }));
  }

  /** The latest control message of a type, if any. */
  last<T extends TTerminalServerMessage["type"]>(type: T): Extract<TTerminalServerMessage, { type: T }> | undefined {
    return this.messages.findLast((m): m is Extract<TTerminalServerMessage, { type: T }> => m.type === type);
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 20_000, from = 0): Promise<RegExpExecArray> {
    return waitFor(
      `terminal output matching ${pattern}`,
      () => pattern.exec(this.output.subarray(from).toString("utf8")) ?? undefined,
      timeoutMs,
      20,
    );
  }

  /** Drops the connection abruptly, like a Wi-Fi loss (no close handshake). */
  drop(): void {
    this.ws.terminate();
  }

  close(): void {
    this.ws.close();
  }
}
