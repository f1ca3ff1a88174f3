import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { ApiClient } from "./api-client";

/**
 * Opens a Server-Sent Events endpoint as `client` (its login cookie) and collects the data of every
 * `event` message, parsed as JSON by `parse`, as it arrives. Asserts the 200 text/event-stream answer.
 */
export async function openEventStream<T>(
  client: ApiClient,
  path: string,
  event: string,
  parse: (data: unknown) => T,
): Promise<{ messages: T[]; close: () => void }> {
  const messages: T[] = [];
  const req = http.get(new URL(path, client.baseUrl), {
    headers: client.cookieHeader ? { cookie: client.cookieHeader } : {},
  });
  const [res] = (await once(req, "response")) as [http.IncomingMessage];
  assert.equal(res.statusCode, 200);
  assert.match(res.headers["content-type"] ?? "", /^text\/event-stream/);
  let buffer = "";
  res.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (block.startsWith(`event: ${event}\n`) && data) messages.push(parse(JSON.parse(data)));
    }
  });
  return { messages, close: () => req.destroy() };
}
