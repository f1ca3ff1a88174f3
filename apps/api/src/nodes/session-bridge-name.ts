import { createHash } from "node:crypto";

// Linux interface names hold at most 15 characters. "kl" + 5 hex of the instance + 8 of the session
// fits exactly, and the shared 7-character prefix lets one wildcard firewall rule (`-i <prefix>+`)
// cover every session bridge of this installation, and only those.
const INSTANCE_CHARS = 5;
const SESSION_CHARS = 8;

/** The interface-name prefix of every session bridge of one installation. */
export function sessionBridgePrefix(instanceId: string): string {
  return `kl${createHash("sha256").update(instanceId).digest("hex").slice(0, INSTANCE_CHARS)}`;
}

/** The bridge interface of one session (session ids are 32 lowercase hex characters). */
export function sessionBridgeName(instanceId: string, sessionId: string): string {
  return `${sessionBridgePrefix(instanceId)}${sessionId.slice(0, SESSION_CHARS)}`;
}
