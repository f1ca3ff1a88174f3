import {
  ZSessionEndReasonCode,
  ZSessionReasonCode,
  type TSessionEndReasonCode,
  type TSessionFailureReasonCode,
  type TSessionStopReason,
} from "@kubelab/shared";

/** Why a session failed, as the code that found out says it. */
export interface SessionFailureReason {
  code: TSessionFailureReasonCode;
  nodes?: string[];
  exitCode?: number;
  /** English text for operators (an error message, how to fix a setting). */
  detail?: string;
}

/** Why a session ended. */
export interface SessionEndReason {
  code: TSessionEndReasonCode;
}

export type SessionReason = SessionFailureReason | SessionEndReason;

/** The lab_sessions columns that hold a reason. */
export interface SessionReasonColumns {
  statusReason: string | null;
  statusNodes: string[];
  statusExitCode: number | null;
  statusDetail: string | null;
}

/**
 * Thrown by provisioning steps that know why they failed; anything else thrown while provisioning
 * becomes a provision_error with the error's message as detail.
 */
export class SessionFailure extends Error {
  constructor(readonly reason: SessionFailureReason) {
    super(reasonText(reason));
  }
}

export function toFailureReason(error: unknown): SessionFailureReason {
  if (error instanceof SessionFailure) return error.reason;
  return { code: "provision_error", detail: error instanceof Error ? error.message : String(error) };
}

/**
 * The English text of a reason, for logs, terminal close reasons and the API's `reason`: the detail
 * when there is one, a sentence for codes that need one, else the code itself.
 */
export function reasonText(reason: SessionReason): string {
  if ("detail" in reason && reason.detail) return reason.detail;
  const nodes = "nodes" in reason && reason.nodes?.length ? reason.nodes.join(" and ") : "a node";
  const exitCode = "exitCode" in reason ? reason.exitCode : undefined;
  switch (reason.code) {
    case "node_died":
      return `${nodes} stopped ${exitCode === undefined ? "unexpectedly" : `(exit code ${exitCode})`}`;
    case "server_restarted":
      return "the server restarted while this session was being created; start a new one";
    case "server_shutdown":
      return "the server shut down while this session was being created";
    case "engine_lost":
      return "the Docker host this lab ran on stopped answering";
    case "engine_unavailable":
      return "no Docker host can take a new lab now (all are down, drained or full)";
    case "ready_timeout":
      return `the Docker engine in ${nodes} did not start in time`;
    case "deleted":
    case "expired":
    case "owner_banned":
    case "pool_replaced":
    case "pool_shrunk":
    case "pool_evicted":
    case "left_queue":
    case "queue_abandoned":
    case "event_ended":
    case "ended_by_instructor":
    case "session_reset":
    case "ended_by_admin":
    case "disk_limit":
    case "image_missing":
    case "profile_unavailable":
    case "firewall_unavailable":
    case "network_unavailable":
    case "node_start_failed":
    case "provision_error":
      return reason.code;
  }
}

export function toReasonColumns(reason: SessionReason): SessionReasonColumns {
  const text = reasonText(reason);
  return {
    statusReason: reason.code,
    statusNodes: "nodes" in reason ? (reason.nodes ?? []) : [],
    statusExitCode: "exitCode" in reason ? (reason.exitCode ?? null) : null,
    statusDetail: text === reason.code ? null : text,
  };
}

/** The typed reason of a row; null while healthy, or for a code this version does not know. */
export function stopReasonOf(row: SessionReasonColumns): TSessionStopReason | null {
  const code = ZSessionReasonCode.safeParse(row.statusReason);
  if (!code.success) return null;
  return { code: code.data, nodes: row.statusNodes, exitCode: row.statusExitCode, detail: row.statusDetail };
}

/** The API's plain `reason`: the detail, else the code (or whatever text an unknown row holds). */
export function legacyReasonOf(row: SessionReasonColumns): string | null {
  return row.statusDetail ?? row.statusReason;
}

/** The reason an `ending` row was given, for finishing it; rows from elsewhere count as deleted. */
export function endReasonOf(row: Pick<SessionReasonColumns, "statusReason">): SessionEndReason {
  const code = ZSessionEndReasonCode.safeParse(row.statusReason);
  return { code: code.success ? code.data : "deleted" };
}
