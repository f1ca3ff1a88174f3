// Every Docker object Kubelab creates carries these labels, so the reconciler
// can find it again after any crash and tie it to its session.
export const LABEL_INSTANCE = "kubelab.instance";
export const LABEL_SESSION = "kubelab.session";
export const LABEL_NODE = "kubelab.node";
// The owner at creation, for people reading `docker ps`; "pool" for sessions the warm pool built
// (their owner is set at the claim, in the database only). Nothing in Kubelab reads it.
export const LABEL_OWNER = "kubelab.owner";
export const POOL_OWNER_LABEL = "pool";

export interface NodeLabels {
  instanceId: string;
  sessionId: string;
  ownerId: string;
  node?: string;
}

export function labelsFor(labels: NodeLabels): Record<string, string> {
  return {
    [LABEL_INSTANCE]: labels.instanceId,
    [LABEL_SESSION]: labels.sessionId,
    [LABEL_OWNER]: labels.ownerId,
    ...(labels.node ? { [LABEL_NODE]: labels.node } : {}),
  };
}

export function sessionNetworkName(sessionId: string): string {
  return `kubelab-${sessionId}`;
}

export function nodeContainerName(sessionId: string, node: string): string {
  return `kubelab-${sessionId}-${node}`;
}

export function nodeVolumeName(sessionId: string, node: string): string {
  return `kubelab-${sessionId}-${node}-docker`;
}
