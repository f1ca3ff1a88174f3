// Small python3 (stdlib only) servers started inside lab nodes, for the port proxy tests and benchmark.
import { createHash } from "node:crypto";
import { docker } from "./docker-objects";

/**
 * Answers every request with JSON of what it received (method, path, headers)
 * and sets three cookies: one ordinary, one with a Domain attribute and one
 * named like the platform's login cookie. /redirect answers 302 to /landed.
 */
export const HEADER_ECHO_APP = String.raw`
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302); self.send_header("Location", "/landed"); self.send_header("Content-Length", "0"); self.end_headers(); return
        body = json.dumps({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "app=ok; Path=/")
        self.send_header("Set-Cookie", "evil=1; Domain=localhost; Path=/")
        self.send_header("Set-Cookie", "kubelab_session=stolen; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_POST = do_GET
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
`;

/** A minimal RFC 6455 echo server: handshake, then echoes text frames back unmasked. */
export const WEBSOCKET_ECHO_APP = String.raw`
import base64, hashlib, socketserver, struct, sys
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
class H(socketserver.StreamRequestHandler):
    def handle(self):
        headers = {}
        self.rfile.readline()
        while True:
            line = self.rfile.readline().decode().strip()
            if not line: break
            k, v = line.split(":", 1); headers[k.strip().lower()] = v.strip()
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
        self.wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nSet-Cookie: evil=1; Domain=localhost\r\nSet-Cookie: ws=ok\r\n\r\n" % accept).encode())
        while True:
            b1, b2 = self.rfile.read(2)
            opcode, n = b1 & 15, b2 & 127
            if n == 126: n = struct.unpack(">H", self.rfile.read(2))[0]
            elif n == 127: n = struct.unpack(">Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if b2 & 128 else b"\0\0\0\0"
            data = bytes(c ^ mask[i % 4] for i, c in enumerate(self.rfile.read(n)))
            if opcode == 8: return
            reply = ("echo:" + data.decode()).encode()
            head = bytes([129, len(reply)]) if len(reply) < 126 else bytes([129, 126]) + struct.pack(">H", len(reply))
            self.wfile.write(head + reply)
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
`;

/** Starts a python3 program in the background in a node container, listening on `port`. */
export async function startNodeApp(container: string, program: string, port: number, bind = "0.0.0.0"): Promise<void> {
  const file = `/tmp/app-${port}.py`;
  const source = program.replace('"0.0.0.0"', JSON.stringify(bind));
  const exec = await docker.getContainer(container).exec({
    Cmd: ["sh", "-c", `cat > ${file} && (python3 ${file} ${port} > /tmp/app-${port}.log 2>&1 &)`],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: true });
  stream.end(source);
  await new Promise((resolve) => stream.on("end", resolve).resume());
}

/**
 * The smallest keep-alive HTTP responder python3's stdlib allows (asyncio, a
 * fixed 2-byte body), so a benchmark measures the proxy rather than the app.
 */
export const FIXED_RESPONSE_APP = String.raw`
import asyncio, sys
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
async def serve(reader, writer):
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(RESPONSE)
            await writer.drain()
    except Exception:
        writer.close()
async def main():
    server = await asyncio.start_server(serve, "0.0.0.0", int(sys.argv[1]), backlog=1024)
    async with server:
        await server.serve_forever()
asyncio.run(main())
`;

/**
 * Answers every request with the same large body (100 MB unless the program is edited, Content-Length
 * framing, keep-alive): the large-download case of the proxy benchmark and test. The body is
 * `downloadBody(size)`: a block of SHA-256 digests repeated, so a byte delivered twice, late or
 * from the wrong read shows in the digest of what arrived (zeros would hide it).
 */
export const LARGE_DOWNLOAD_APP = String.raw`
import hashlib, socket, sys, threading, time
SIZE = 100 * 1024 * 1024
PIECE, PAUSE = 0, 0.0
BLOCK = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(${Math.ceil(1_000_003 / 32)}))[:1000003]
BODY = (BLOCK * (SIZE // len(BLOCK) + 1))[:SIZE]
HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % SIZE).encode()
def serve(conn):
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data: return
                buf += data
            buf = buf.split(b"\r\n\r\n", 1)[1]
            conn.sendall(HEAD)
            if PIECE == 0:
                conn.sendall(BODY)
                continue
            for start in range(0, SIZE, PIECE):
                conn.sendall(BODY[start:start + PIECE])
                time.sleep(PAUSE)
server = socket.create_server(("0.0.0.0", int(sys.argv[1])), backlog=128)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
`;

/**
 * LARGE_DOWNLOAD_APP serving `megabytes` MiB; with `pace`, in pieces of `pieceBytes` with a pause
 * after each (the proxy then reads many small pieces instead of a few full buffers).
 */
export function largeDownloadApp(megabytes: number, pace?: { pieceBytes: number; pauseMs: number }): string {
  const sized = LARGE_DOWNLOAD_APP.replace("100 * 1024 * 1024", `${megabytes} * 1024 * 1024`);
  return pace
    ? sized.replace("PIECE, PAUSE = 0, 0.0", `PIECE, PAUSE = ${pace.pieceBytes}, ${pace.pauseMs / 1000}`)
    : sized;
}

/** The body LARGE_DOWNLOAD_APP serves, `size` bytes of it. */
export function downloadBody(size: number): Buffer {
  const digests: Buffer[] = [];
  for (let i = 0; i < Math.ceil(1_000_003 / 32); i++) digests.push(createHash("sha256").update(String(i)).digest());
  const block = Buffer.concat(digests).subarray(0, 1_000_003);
  const body = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += block.length)
    block.copy(body, offset, 0, Math.min(block.length, size - offset));
  return body;
}

/**
 * Answers /ws/<trick> with a WebSocket 101 and /http/<trick> with a 200, each
 * carrying header lines that parsers disagree on: whitespace before the colon
 * (Chromium trims it and stores the cookie), obsolete line folding, a bare LF
 * or CR (Chromium splits lines on either).
 * "clean" is well-formed, with one platform cookie and one ordinary one.
 */
export const MALFORMED_HEADERS_APP = String.raw`
import base64, hashlib, socketserver, sys
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TRICKS = {
    "space": "Set-Cookie : kubelab_session=space; Path=/\r\nSet-Cookie : spaced=1; Path=/\r\n",
    "tab": "Set-Cookie\t: kubelab_session=tab; Path=/\r\nSet-Cookie\t: tabbed=1; Path=/\r\n",
    "fold": "X-Note: a\r\n Set-Cookie: kubelab_session=fold; Path=/\r\n",
    "fold-cookie": "Set-Cookie: folded=1; Path=/\r\n\tDomain=localhost\r\n",
    "lf": "X-Note: a\nSet-Cookie: kubelab_session=lf; Path=/\r\n",
    "cr": "X-Note: a\rSet-Cookie: kubelab_session=cr; Path=/\r\n",
    "clean": "Set-Cookie: kubelab_session=clean; Path=/\r\nSet-Cookie: plain=1; Path=/\r\n",
}
class H(socketserver.StreamRequestHandler):
    def handle(self):
        target = self.rfile.readline().decode().split(" ")[1]
        headers = {}
        while True:
            line = self.rfile.readline().decode().strip()
            if not line: break
            k, v = line.split(":", 1); headers[k.strip().lower()] = v.strip()
        kind, trick = target.strip("/").split("/", 1)
        extra = TRICKS[trick]
        if kind == "ws":
            key = headers.get("sec-websocket-key", "")
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            self.wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n" % (accept, extra)).encode())
            self.wfile.flush()
            self.rfile.read()
        else:
            self.wfile.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n%s\r\nok" % extra).encode())
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
`;
