import type { TSession, TSessionNotice } from "@kubelab/shared";

/**
 * The notices that say why a failed session stopped, shown with its reason: the disk over its
 * limit, or memory running out in a node that then died (its init killed for memory; the oom_kill
 * notice names that node). Other notices (earlier warnings, other nodes) are history by then.
 */
export function noticesExplainingFailure(session: Pick<TSession, "notices" | "stopReason">): TSessionNotice[] {
  const died = session.stopReason?.code === "node_died" ? session.stopReason.nodes : [];
  return session.notices.filter(
    (notice) =>
      notice.code === "disk_limit" ||
      (notice.code === "oom_kill" && notice.node !== null && died.includes(notice.node)),
  );
}
