import { ZNodeName, type TUserRole } from "@kubelab/shared";
import { AppError } from "../common/app-error";

/** Who asks: a user (role when known; a port cookie names only the user), or nobody. */
export interface Viewer {
  id: string;
  role?: TUserRole;
}

export interface NodeFacts {
  name: string;
  containerId: string | null;
  ip: string | null;
}

export interface SessionFacts {
  /** Null for a pooled session: nobody may use it before a claim. */
  ownerId: string | null;
  status: string;
  nodes: readonly NodeFacts[];
}

/**
 * What a node is used for, and so what it must have: "manage" (settings such
 * as port visibility) needs the node to exist; terminals, uploads and downloads need
 * its container; ports need its address; lesson checks need a running node (refused with
 * node_not_running, which the lab page tells apart from an ended session). All but "manage" need a
 * ready session.
 */
export type NodeUse = "manage" | "terminal" | "upload" | "download" | "port" | "check";

const NOT_READY_PHRASE: Record<Exclude<NodeUse, "manage">, string> = {
  terminal: "terminals open",
  upload: "files can be uploaded",
  download: "files can be downloaded",
  port: "ports open",
  check: "checks run",
};

/** The one place that says a session's nodes can be worked with. */
export function isSessionReady(session: { status: string }): boolean {
  return session.status === "ready";
}

/**
 * Whether `viewer` may use `session` at all; the refusal if not. Someone
 * else's session looks exactly like a missing one. `open`: a public port,
 * which needs no login. Admins have no rights on other users' sessions.
 * Event instructors' rights on their participants' sessions belong here.
 */
export function usableSession<S extends { ownerId: string | null }>(
  viewer: Viewer | null,
  session: S | null,
  options: { open?: boolean; loginMessage?: string } = {},
): S {
  if (!session) throw new AppError("not_found", "No such session");
  if (options.open) return session;
  if (!viewer) throw new AppError("unauthenticated", options.loginMessage ?? "Log in first");
  if (viewer.id !== session.ownerId) throw new AppError("not_found", "No such session");
  return session;
}

/** The node of a session the viewer may use, if it can serve `use` now; throws the refusal if not. */
export function usableNode<N extends NodeFacts>(
  session: { status: string; nodes: readonly N[] },
  nodeName: string,
  use: NodeUse,
): N {
  const node = ZNodeName.safeParse(nodeName).success ? session.nodes.find((n) => n.name === nodeName) : undefined;
  if (!node) throw new AppError("not_found", `This session has no node "${nodeName}"`);
  if (use === "manage") return node;
  // Made only when thrown: this runs for every proxied request, and an error's stack costs.
  const notReady = (): AppError =>
    new AppError(
      use === "check" ? "node_not_running" : "session_not_active",
      `The session is ${session.status}; ${NOT_READY_PHRASE[use]} once it is ready`,
    );
  if (!isSessionReady(session)) throw notReady();
  switch (use) {
    case "terminal":
    case "upload":
    case "download":
    case "check":
      if (!node.containerId) throw notReady();
      return node;
    case "port":
      if (!node.ip) throw new AppError("session_not_active", `${node.name} has no address yet`);
      return node;
  }
}
