import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { TERMINAL_CLOSE_CODES } from "@kubelab/shared";
import { INPUT_CHUNK_BYTES } from "./input-chunks";
import {
  TerminalConnection,
  type ConnectionState,
  type TerminalConnectionEvents,
  type TerminalSocket,
} from "./terminal-connection";

/** Stands in for the browser's WebSocket: the spec plays the server's side. */
class FakeSocket implements TerminalSocket {
  binaryType: BinaryType = "blob";
  readyState = 0;
  onmessage: TerminalSocket["onmessage"] = null;
  onclose: TerminalSocket["onclose"] = null;
  onerror: TerminalSocket["onerror"] = null;
  readonly sent: (string | Uint8Array)[] = [];
  closedWith: number | undefined;

  constructor(readonly url: URL) {}

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  // The server's side.
  hello(seq: number, created = false): void {
    this.readyState = 1;
    this.text({ type: "hello", terminal: "main", node: "node1", created, seq });
  }

  text(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent<string>);
  }

  output(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.onmessage?.({ data: bytes.buffer } as MessageEvent<ArrayBuffer>);
  }

  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
}

interface Harness {
  connection: TerminalConnection;
  sockets: FakeSocket[];
  states: ConnectionState[];
  output: string[];
  resets: number;
  gaps: (number | null)[];
  /** watch, watchers and error messages, as the callbacks got them. */
  control: unknown[];
  last(): FakeSocket;
}

function harness(watchEventId?: string): Harness {
  const sockets: FakeSocket[] = [];
  const h = { sockets, states: [], output: [], resets: 0, gaps: [], control: [] } as unknown as Harness;
  const events: TerminalConnectionEvents = {
    onState: (state) => h.states.push(state),
    onOutput: (bytes) => h.output.push(new TextDecoder().decode(bytes)),
    onReset: () => (h.resets += 1),
    onGap: (lost) => h.gaps.push(lost),
    onWatch: (state) => h.control.push(state),
    onWatchers: (message) => h.control.push(message),
    onServerError: (code, message) => h.control.push({ code, message }),
  };
  h.connection = new TerminalConnection(
    { sessionId: "s 1", node: "node1", terminalId: "main", ...(watchEventId ? { watchEventId } : {}) },
    events,
    { cols: 80, rows: 24 },
    {
      openSocket: (url) => {
        const socket = new FakeSocket(new URL(url));
        sockets.push(socket);
        return socket;
      },
      socketOrigin: () => "wss://labs.example.org",
      // The middle of the jitter range: delays are exactly 0.5 s, 1 s, 2 s, ...
      random: () => 0.5,
    },
  );
  h.last = () => sockets.at(-1)!;
  return h;
}

describe("TerminalConnection", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  it("opens the terminal URL with the size for a new shell and no resume offset", () => {
    const h = harness();
    h.connection.connect();
    const url = h.last().url;
    assert.equal(url.origin, "wss://labs.example.org");
    assert.equal(url.pathname, "/api/sessions/s%201/nodes/node1/terminal");
    assert.deepEqual(Object.fromEntries(url.searchParams), { terminal: "main", cols: "80", rows: "24" });
    assert.equal(h.last().binaryType, "arraybuffer");
    assert.equal(h.connection.status, "connecting");
  });

  it("resumes after a drop from the offset of the last byte it received", () => {
    const h = harness();
    h.connection.connect();
    h.last().hello(100);
    assert.equal(h.connection.status, "connected");
    // The server learns the current size: an existing shell may have another one.
    assert.deepEqual(JSON.parse(h.last().sent[0] as string), { type: "resize", cols: 80, rows: 24 });
    h.last().output("hello ");
    h.last().output("world");
    assert.deepEqual(h.output, ["hello ", "world"]);

    h.last().drop(1006);
    assert.equal(h.connection.status, "reconnecting");
    mock.timers.tick(499);
    assert.equal(h.sockets.length, 1, "waits for the backoff");
    mock.timers.tick(1);
    assert.equal(h.sockets.length, 2);
    assert.equal(h.last().url.searchParams.get("resume"), "111");
    h.last().hello(111);
    assert.equal(h.resets, 0, "the same shell: the screen stays");
    assert.deepEqual(
      h.states.map((s) => s.status),
      ["connected", "reconnecting", "connected"],
    );
  });

  it("jumps over bytes the replay buffer lost and says how many", () => {
    const h = harness();
    h.connection.connect();
    h.last().hello(0);
    h.last().output("abc");
    h.last().drop(1006);
    mock.timers.tick(500);
    h.last().hello(3);
    h.last().text({ type: "gap", from: 3, to: 5003 });
    assert.deepEqual(h.gaps, [5000]);
    h.last().output("xy");
    h.last().drop(1011);
    mock.timers.tick(500);
    assert.equal(h.last().url.searchParams.get("resume"), "5005");
  });

  it("keeps the screen when a restarted server attached to the same shell, and resumes at its offsets", () => {
    const h = harness();
    h.connection.connect();
    h.last().hello(0);
    h.last().output("abc");
    h.last().drop(1001);
    mock.timers.tick(500);
    const base = 2 ** 42;
    h.last().hello(base);
    h.last().text({ type: "gap", from: 3, to: base, restarted: true });
    assert.equal(h.resets, 0, "the same shell: the screen stays");
    assert.deepEqual(h.gaps, [null], "how much was lost is unknown");
    h.last().output("xy");
    h.last().drop(1006);
    mock.timers.tick(500);
    assert.equal(h.last().url.searchParams.get("resume"), String(base + 2));
  });

  it("clears the screen when a new shell replaced the one it showed", () => {
    const h = harness();
    h.connection.connect();
    h.last().hello(0, true);
    assert.equal(h.resets, 0, "nothing on screen yet");
    h.last().output("old shell");
    h.last().drop(1012);
    mock.timers.tick(500);
    h.last().hello(0, true);
    assert.equal(h.resets, 1);
  });

  it("backs off 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s while nothing answers, and starts over after a hello", () => {
    const h = harness();
    h.connection.connect();
    const waits: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const before = h.sockets.length;
      h.last().drop(1006);
      let waited = 0;
      while (h.sockets.length === before) {
        mock.timers.tick(100);
        waited += 100;
      }
      waits.push(waited);
    }
    assert.deepEqual(waits, [500, 1000, 2000, 4000, 8000, 8000]);
    h.last().hello(0);
    h.last().drop(1006);
    mock.timers.tick(500);
    assert.equal(h.sockets.length, 8, "a successful hello resets the backoff");
  });

  it("reconnects at once when asked (the browser is back online), only while reconnecting", () => {
    const h = harness();
    h.connection.connect();
    h.last().hello(0);
    h.connection.reconnectNow();
    assert.equal(h.sockets.length, 1, "a live connection is left alone");
    h.last().drop(1006);
    h.connection.reconnectNow();
    assert.equal(h.sockets.length, 2);
    mock.timers.tick(10_000);
    assert.equal(h.sockets.length, 2, "the pending retry was cancelled");
  });

  it("stops for good when the shell exited, and a restart opens a fresh shell", () => {
    const h = harness();
    h.connection.connect();
    h.last().hello(0);
    h.last().output("bye");
    h.last().text({ type: "exit", code: 3 });
    h.last().drop(TERMINAL_CLOSE_CODES.terminalExited);
    assert.deepEqual(h.states.at(-1), { status: "exited", exitCode: 3 });
    mock.timers.tick(60_000);
    assert.equal(h.sockets.length, 1);

    h.connection.restart();
    assert.equal(h.resets, 1);
    assert.equal(h.sockets.length, 2);
    assert.equal(h.last().url.searchParams.has("resume"), false, "a fresh shell starts from its first byte");
  });

  for (const [name, code] of [
    ["ended", TERMINAL_CLOSE_CODES.sessionEnded],
    ["failed", TERMINAL_CLOSE_CODES.sessionFailed],
  ] as const) {
    it(`gives up when the session ${name} (close code ${code}) and keeps the server's reason and the close code`, () => {
      const h = harness();
      h.connection.connect();
      h.last().hello(0);
      h.last().drop(code, "node_lost");
      assert.deepEqual(h.states.at(-1), { status: "closed", reason: "node_lost", closeCode: code });
      mock.timers.tick(60_000);
      assert.equal(h.sockets.length, 1);
    });
  }

  it("sends input only while connected, in 64 KiB pieces", () => {
    const h = harness();
    h.connection.connect();
    assert.equal(h.connection.send("ls\r"), false, "input before the hello is dropped");
    h.last().hello(0);
    h.last().sent.length = 0;
    assert.equal(h.connection.send("x".repeat(INPUT_CHUNK_BYTES * 2 + 1)), true);
    assert.deepEqual(
      h.last().sent.map((chunk) => (chunk as Uint8Array).byteLength),
      [INPUT_CHUNK_BYTES, INPUT_CHUNK_BYTES, 1],
    );
    h.connection.resize(5000, 1);
    assert.deepEqual(JSON.parse(h.last().sent.at(-1) as string), { type: "resize", cols: 1000, rows: 2 });
    h.last().drop(1006);
    assert.equal(h.connection.send("ls\r"), false);
  });

  it("ignores frames that are not protocol messages", () => {
    const h = harness();
    h.connection.connect();
    h.last().onmessage?.({ data: "not json" } as MessageEvent<string>);
    h.last().text({ type: "hello", seq: -1 });
    assert.equal(h.connection.status, "connecting");
  });

  it("closes its socket and reports nothing more once disposed", () => {
    const h = harness();
    h.connection.connect();
    h.last().hello(0);
    const socket = h.last();
    const states = h.states.length;
    h.connection.dispose();
    assert.equal(socket.closedWith, 1000);
    assert.equal(socket.onclose, null);
    h.connection.connect();
    mock.timers.tick(60_000);
    assert.equal(h.sockets.length, 1);
    assert.equal(h.states.length, states);
  });

  it("watches through the watch URL without a size, asks to take over, and passes watch messages on", () => {
    const h = harness("e 1");
    h.connection.connect();
    const url = h.last().url;
    assert.equal(url.pathname, "/api/events/e%201/sessions/s%201/nodes/node1/watch");
    assert.deepEqual(Object.fromEntries(url.searchParams), { terminal: "main" });
    assert.equal(h.connection.takeover(), false, "not connected yet");
    h.last().hello(10);
    h.connection.resize(100, 30);
    assert.deepEqual(h.last().sent, [], "the screen's size is the attendee's");
    h.last().text({ type: "watch", typing: false, mayTakeOver: "allowed" });
    assert.equal(h.connection.takeover(), true);
    assert.deepEqual(JSON.parse(h.last().sent[0] as string), { type: "takeover" });
    h.last().text({ type: "error", code: "read_only", message: "ask first" });
    h.last().text({ type: "watchers", watchers: [{ name: "Teacher", typing: true }] });
    assert.deepEqual(h.control, [
      { type: "watch", typing: false, mayTakeOver: "allowed" },
      { code: "read_only", message: "ask first" },
      { type: "watchers", watchers: [{ name: "Teacher", typing: true }] },
    ]);
    h.last().drop(1006);
    mock.timers.tick(500);
    assert.deepEqual(Object.fromEntries(h.last().url.searchParams), { terminal: "main", resume: "10" });
  });
});
