import { Duplex } from "node:stream";
import type { DockerEngine } from "../nodes/docker-engine.adapter";
import { DOCKER_STREAM_HEAD, FrameReader } from "../terminals/held-shell";

const STDOUT = 1;
const STDERR = 2;

/**
 * Run in the node: connects to the app (the node's own session address and the port) and copies
 * bytes both ways between that connection and the exec's stdin and stdout. The end of stdin
 * half-closes the connection; the app closing it ends the command. A failed connect prints the
 * errno name Node uses (ECONNREFUSED...) on stderr, so the proxy answers as for a direct connect.
 */
const RELAY_SCRIPT = `
import errno, os, socket, sys, threading
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 5)
except OSError as e:
    sys.stderr.write(errno.errorcode.get(e.errno or 0, "ETIMEDOUT"))
    sys.exit(7)
s.settimeout(None)
def up():
    try:
        while True:
            d = os.read(0, 65536)
            if not d:
                break
            s.sendall(d)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        os._exit(0)
threading.Thread(target=up, daemon=True).start()
while True:
    try:
        d = s.recv(65536)
    except OSError:
        break
    if not d:
        break
    v = memoryview(d)
    while v:
        v = v[os.write(1, v):]
`;

/** Where a node on another host is reached: through its engine's API (docs/scale-out.md). */
export interface NodeRelayVia {
  engine: DockerEngine;
  containerId: string;
}

/**
 * A TCP connection to an app in a node whose network Kubelab cannot reach (an engine on another
 * host), carried by a docker exec in the node: the channel is the engine's own API connection
 * (TLS or ssh for remote engines), so nothing else listens anywhere. Writes made before the exec
 * is attached wait for it. Behaves like a socket to the proxy: errors carry `code` ECONNREFUSED,
 * ETIMEDOUT... as a direct connect's would.
 */
export class NodeRelayStream extends Duplex {
  private raw: Duplex | undefined;
  private readonly queued: { chunk: Buffer; callback: (error?: Error | null) => void }[] = [];
  private endWhenAttached: (() => void) | undefined;
  private stderr = "";

  constructor(via: NodeRelayVia, ip: string, port: number) {
    super({ allowHalfOpen: true });
    via.engine
      .openShell(via.containerId, {
        cmd: ["python3", "-c", RELAY_SCRIPT, ip, String(port)],
        env: [],
        workingDir: "/",
        tty: false,
      })
      .then(
        ({ stream }) => this.attached(stream),
        (error: Error) => this.destroy(withCode(error, "ECONNREFUSED")),
      );
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  override _read(): void {
    this.raw?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.raw) this.raw.write(chunk, callback);
    else this.queued.push({ chunk, callback });
  }

  override _final(callback: (error?: Error | null) => void): void {
    const end = (): void => {
      this.raw!.end();
      callback();
    };
    if (this.raw) end();
    else this.endWhenAttached = end;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.raw?.destroy();
    callback(error);
  }

  private attached(raw: Duplex): void {
    if (this.destroyed) {
      raw.destroy();
      return;
    }
    this.raw = raw;
    const frames = new FrameReader(DOCKER_STREAM_HEAD, (stream, payload) => {
      if (stream === STDOUT) {
        if (!this.push(Buffer.from(payload))) raw.pause();
      } else if (stream === STDERR && this.stderr.length < 256) {
        this.stderr += payload.toString("utf8");
      }
    });
    raw.on("data", (chunk: Buffer) => {
      try {
        frames.push(chunk);
      } catch (error) {
        this.destroy(error as Error);
      }
    });
    raw.on("end", () => {
      const failure = /^E[A-Z]+$/.exec(this.stderr.trim())?.[0];
      if (failure) this.destroy(withCode(new Error(`relay to the node: ${failure}`), failure));
      else this.push(null);
    });
    raw.on("error", (error) => this.destroy(withCode(error, "ECONNRESET")));
    for (const { chunk, callback } of this.queued.splice(0)) raw.write(chunk, callback);
    this.endWhenAttached?.();
    this.emit("connect");
  }
}

function withCode(error: Error, code: string): NodeJS.ErrnoException {
  const coded = error as NodeJS.ErrnoException;
  coded.code ??= code;
  return coded;
}

/** A relayed connection to a target that has `relay` (PortAccess sets it). */
export function relayTo(target: { ip: string; port: number; relay?: NodeRelayVia }): NodeRelayStream {
  return new NodeRelayStream(target.relay!, target.ip, target.port);
}
