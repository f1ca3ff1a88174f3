import { z } from "zod";

// The terminal WebSocket protocol (docs/terminal-protocol.md).
// Binary frames carry terminal bytes both ways; text frames carry these JSON messages.

export const ZTerminalId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "terminal must be a short lowercase id");

// A TTY dimension (columns or rows) as a query-string value.
const zDimensionParam = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number)
  .pipe(z.number().int().min(2).max(1000));

/** Query of GET /api/sessions/:id/nodes/:node/terminal (the upgrade request). */
export const ZTerminalConnectQuery = z.strictObject({
  terminal: ZTerminalId.default("main"),
  // Output byte offset the client has received up to; omitted for a fresh view.
  resume: z
    .string()
    .regex(/^\d{1,15}$/, "resume must be a byte offset")
    .transform(Number)
    .optional(),
  cols: zDimensionParam.optional(),
  rows: zDimensionParam.optional(),
});
export type TTerminalConnectQuery = z.infer<typeof ZTerminalConnectQuery>;

/** Query of GET /api/sessions/:id/nodes/:node/terminal/foreground. */
export const ZTerminalForegroundQuery = z.strictObject({ terminal: ZTerminalId.default("main") });

/**
 * GET /api/sessions/:id/nodes/:node/terminal/foreground: whether something runs in the foreground
 * of that terminal's shell (so typing would go into it, not to the prompt), and its command line.
 */
export const ZTerminalForeground = z.object({ busy: z.boolean(), command: z.string().nullable() });
export type TTerminalForeground = z.infer<typeof ZTerminalForeground>;

export const ZTerminalResize = z.strictObject({
  type: z.literal("resize"),
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(2).max(1000),
});

/**
 * A watcher (an event's instructor on the watch endpoint) asks to type: granted while the attendee
 * allows take-over or has an open help request, answered with a `watch` message either way.
 * Attendees' own sockets never need it.
 */
export const ZTerminalTakeover = z.strictObject({ type: z.literal("takeover") });

/** Text frames a client may send. */
export const ZTerminalClientMessage = z.discriminatedUnion("type", [ZTerminalResize, ZTerminalTakeover]);
export type TTerminalClientMessage = z.infer<typeof ZTerminalClientMessage>;

/** First message on every socket: which terminal this is and where the following bytes start. */
export const ZTerminalHello = z.object({
  type: z.literal("hello"),
  terminal: ZTerminalId,
  node: z.string(),
  created: z.boolean(),
  // Byte offset of the first byte of the next binary frame.
  seq: z.number().int().nonnegative(),
});

/**
 * The replay buffer no longer reaches back to the requested offset: bytes [from, to) are lost.
 * `restarted`: the server attached to the shell after a restart of Kubelab; what the shell printed
 * while no server read it is lost and its length unknown (from/to only renumber the output).
 */
export const ZTerminalGap = z.object({
  type: z.literal("gap"),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  restarted: z.boolean().optional(),
});

export const ZTerminalExit = z.object({ type: z.literal("exit"), code: z.number().int().nullable() });

export const ZTerminalErrorMessage = z.object({ type: z.literal("error"), code: z.string(), message: z.string() });

/**
 * To a watcher socket, after `hello` and whenever it changes: whether its input reaches the shell.
 * `typing` is true only after a granted `takeover`; `mayTakeOver` says whether one would be
 * granted now ("allowed": the attendee allowed it; "help": they asked for help; "no").
 * Binary frames from a watcher that is not typing are dropped and answered with an `error`
 * (code `read_only`).
 */
export const ZTerminalWatchState = z.object({
  type: z.literal("watch"),
  typing: z.boolean(),
  mayTakeOver: z.enum(["allowed", "help", "no"]),
});
export type TTerminalWatchState = z.infer<typeof ZTerminalWatchState>;

/** To the attendee's own sockets, on attach and whenever it changes: who is watching the session. */
export const ZTerminalWatchers = z.object({
  type: z.literal("watchers"),
  watchers: z.array(z.object({ name: z.string(), typing: z.boolean() })),
});
export type TTerminalWatchers = z.infer<typeof ZTerminalWatchers>;

export const ZTerminalServerMessage = z.discriminatedUnion("type", [
  ZTerminalHello,
  ZTerminalGap,
  ZTerminalExit,
  ZTerminalErrorMessage,
  ZTerminalWatchState,
  ZTerminalWatchers,
]);
export type TTerminalServerMessage = z.infer<typeof ZTerminalServerMessage>;

/** WebSocket close codes after the upgrade (refusals before it are HTTP statuses). */
export const TERMINAL_CLOSE_CODES = {
  /** The shell exited (e.g. the user typed `exit`). */
  terminalExited: 4000,
  /** The lab session was deleted or expired. */
  sessionEnded: 4001,
  /** The lab session failed (a node died). */
  sessionFailed: 4002,
  /** A text frame was not a valid control message. */
  badMessage: 4003,
  /** The client did not answer keep-alive pings. */
  timeout: 4008,
  /** The server is shutting down; reconnect later. */
  serverShutdown: 1001,
  /** A frame exceeded the 1 MiB limit (send large input in chunks). */
  messageTooBig: 1009,
} as const;

/** Largest frame the server accepts; clients send large pastes in chunks below this. */
export const TERMINAL_MAX_FRAME_BYTES = 1024 * 1024;
