import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, HTTP_STATUS_BY_CODE } from "../common/app-error";
import type { PortAddress } from "./port-address";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** An error page for people (HTML) or the API's JSON body for programs that ask for JSON. */
export function sendPortError(req: IncomingMessage, res: ServerResponse, error: AppError, retry = false): void {
  const status = HTTP_STATUS_BY_CODE[error.code];
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (wantsJson(req)) {
    const body = JSON.stringify({ error: { code: error.code, message: error.message } });
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end(body);
    return;
  }
  // Auto-retry only where waiting helps: the app may simply not be listening yet.
  const refresh = retry ? '<meta http-equiv="refresh" content="3">' : "";
  const hint = retry ? "<p>This page reloads every 3 seconds and shows the app as soon as it answers.</p>" : "";
  const html = `<!doctype html><html><head><meta charset="utf-8">${refresh}<title>Kubelab</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head><body><h1>${escapeHtml(error.message)}</h1>${hint}</body></html>`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    // Our own page needs no scripts at all.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}

export function closedPortError(address: PortAddress): AppError {
  return new AppError("port_closed", `Nothing is listening on ${address.node}:${address.port} yet`);
}

/** Errors from connecting to the node that mean "no app there (yet)", as opposed to a proxy bug. */
export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ECONNRESET", "EPIPE"].includes(code);
}

/** The app answered bytes Node's strict HTTP parser refuses (llhttp errors are HPE_*): never passed on. */
export function isMalformedResponse(error: unknown): boolean {
  return ((error as NodeJS.ErrnoException).code ?? "").startsWith("HPE_");
}

export function malformedResponseError(address: PortAddress): AppError {
  return new AppError(
    "port_bad_response",
    `The app on ${address.node}:${address.port} sent a response that is not valid HTTP (for example whitespace before a header's colon, or a folded header line)`,
  );
}
