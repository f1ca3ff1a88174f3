import { Duplex } from "node:stream";
import {
  DOCKER_STREAM_HEAD,
  FrameReader,
  HOLDER_FRAME_HEAD,
  holderFrame,
  parseHolderHello,
  resizeFrame,
  type HolderHello,
} from "./held-shell";

const STDOUT = 1;
const STDERR = 2;
const HELLO = "h".charCodeAt(0);
const OUTPUT = "o".charCodeAt(0);
const EXIT = "x".charCodeAt(0);
// What the attach command printed on stderr, kept for the error message (python3 missing, ...).
const STDERR_KEPT_BYTES = 2048;

/** The holder's hello and the output it replays with it (offsets hello.start to hello.end). */
export interface HolderAttach {
  hello: HolderHello;
  replay: Buffer;
}

/**
 * A held shell as a byte stream, like a TTY: what is written is typed into the shell, what is read
 * is its output. Underneath, Docker's exec stream (without a TTY, so multiplexed) carries the
 * holder's frames; the hello and its replay are read first and given by `attached`.
 */
export class HeldShellStream extends Duplex {
  /** Resolves once the hello and every replayed byte arrived; rejects if the command ends first. */
  readonly attached: Promise<HolderAttach>;
  /** The shell's exit status once the holder sent it; null while it runs or if it never came. */
  exitStatus: number | null = null;

  private hello: HolderHello | undefined;
  private replay: Buffer[] = [];
  private replayMissing = 0;
  private settle!: { resolve: (value: HolderAttach) => void; reject: (error: Error) => void };
  private settled = false;
  private stderr = "";
  private readonly docker: FrameReader;
  private readonly holder: FrameReader;

  constructor(private readonly raw: Duplex) {
    super({ allowHalfOpen: false });
    this.attached = new Promise<HolderAttach>((resolve, reject) => (this.settle = { resolve, reject }));
    // Whoever awaits `attached` sees the rejection; this keeps it from counting as unhandled.
    this.attached.catch(() => undefined);
    this.holder = new FrameReader(HOLDER_FRAME_HEAD, (kind, payload) => this.onHolderFrame(kind, payload));
    this.docker = new FrameReader(DOCKER_STREAM_HEAD, (stream, payload) => {
      if (stream === STDOUT) this.holder.push(payload);
      else if (stream === STDERR && this.stderr.length < STDERR_KEPT_BYTES)
        this.stderr += payload.toString("utf8").slice(0, STDERR_KEPT_BYTES);
    });
    raw.on("data", (chunk: Buffer) => {
      try {
        this.docker.push(chunk);
      } catch (error) {
        this.fail(error as Error);
        this.destroy(error as Error);
      }
    });
    raw.on("end", () => {
      this.fail(new Error(this.stderr.trim() || "the terminal's attach command ended before the holder answered"));
      this.push(null);
    });
    raw.on("error", (error) => {
      this.fail(error);
      this.destroy(error);
    });
  }

  /** What the attach command wrote on stderr (for logs). */
  get diagnostics(): string {
    return this.stderr.trim();
  }

  resize(cols: number, rows: number): void {
    if (!this.raw.destroyed) this.raw.write(resizeFrame(cols, rows));
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.raw.write(holderFrame("i", chunk))) callback();
    else this.raw.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.fail(error ?? new Error("the terminal stream was closed"));
    this.raw.destroy();
    callback(error);
  }

  private onHolderFrame(kind: number, payload: Buffer): void {
    if (kind === OUTPUT) {
      if (!this.hello) throw new Error("output from the terminal holder before its hello");
      if (!this.settled) {
        this.replay.push(payload);
        this.replayMissing -= payload.length;
        if (this.replayMissing <= 0) this.settleAttached();
        return;
      }
      if (!this.push(payload)) this.raw.pause();
    } else if (kind === HELLO) {
      if (this.hello) throw new Error("a second hello from the terminal holder");
      this.hello = parseHolderHello(payload);
      this.replayMissing = this.hello.end - this.hello.start;
      if (this.replayMissing === 0) this.settleAttached();
    } else if (kind === EXIT && payload.length === 4) {
      this.exitStatus = payload.readInt32BE(0);
    } else {
      throw new Error(`unknown frame ${kind} from the terminal holder`);
    }
  }

  private settleAttached(): void {
    this.settled = true;
    this.settle.resolve({ hello: this.hello!, replay: Buffer.concat(this.replay) });
    this.replay = [];
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.settle.reject(error);
  }
}
