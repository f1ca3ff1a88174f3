import http from "node:http";
import net from "node:net";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request to the server with any Host header (fetch may not set Host), as a
 * browser resolving `*.localhost` to loopback would send it.
 */
export function rawRequest(
  port: number,
  options: { host?: string; path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: { ...(options.host ? { host: options.host } : {}), ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/**
 * Opens a TCP connection to the server and writes `data` as is (a request
 * head and as much of a body as the test wants), leaving the socket open so
 * the test decides when and how it ends.
 */
export function openRawRequest(port: number, data: string | Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.off("error", reject);
      socket.on("error", () => undefined);
      socket.write(data, () => resolve(socket));
    });
    socket.once("error", reject);
  });
}
