import { AppError } from "../common/app-error";
import type { PortAddress } from "./port-address";

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
