import { z } from "zod";
import { ZNodeName } from "./sessions";

// TCP ports a user may reach in a node; 0 and anything above 65535 are refused before any lookup.
export const ZPortNumber = z.coerce.number().int().min(1).max(65535);

export const ZSetPortVisibilityRequest = z.strictObject({ public: z.boolean() });
export type TSetPortVisibilityRequest = z.infer<typeof ZSetPortVisibilityRequest>;

export const ZPortEntry = z.object({
  node: ZNodeName,
  port: z.number().int().min(1).max(65535),
  public: z.boolean(),
  // Seen listening in the node (or a Kubernetes NodePort) at the last discovery.
  detected: z.boolean(),
  /** "namespace/name" of the Kubernetes service when the port is one of its NodePorts. */
  service: z.string().nullable(),
  urls: z.object({ host: z.string(), path: z.string() }),
});
export type TPortEntry = z.infer<typeof ZPortEntry>;

/** The order of every port list (server answers, events, and the page's own updates): by node, then port. */
export function comparePortEntries(a: Pick<TPortEntry, "node" | "port">, b: Pick<TPortEntry, "node" | "port">): number {
  return a.node.localeCompare(b.node) || a.port - b.port;
}

export const ZPortList = z.object({ ports: z.array(ZPortEntry) });
export type TPortList = z.infer<typeof ZPortList>;
