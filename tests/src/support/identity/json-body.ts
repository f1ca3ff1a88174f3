import type { IncomingMessage, ServerResponse } from "node:http";

/** Reads a small request body (stand-ins only receive forms and JSON of a few hundred bytes). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Form-encoded or JSON, whichever the client sent. */
export async function readParams(req: IncomingMessage): Promise<Record<string, string>> {
  const text = await readBody(req);
  if ((req.headers["content-type"] ?? "").includes("application/json")) {
    return text ? (JSON.parse(text) as Record<string, string>) : {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
