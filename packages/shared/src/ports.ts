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

/** What a port URL is made of besides the port itself: the server's PUBLIC_URL and LAB_DOMAIN. */
export const ZPortUrlBase = z.object({ publicUrl: z.string(), labDomain: z.string() });
export type TPortUrlBase = z.infer<typeof ZPortUrlBase>;

/**
 * The two URLs of one port of one node: the host form `<node>-<port>-<session>.<LAB_DOMAIN>`
 * (scheme and port of PUBLIC_URL, since the same server answers both) and the path form
 * `<PUBLIC_URL>/ports/<session>/<node>/<port>/`. The API's port list and the lab page's lesson
 * variables both use this one definition.
 */
export function portUrlsFor(
  base: TPortUrlBase,
  address: { sessionId: string; node: string; port: number },
): { host: string; path: string } {
  const publicUrl = new URL(base.publicUrl);
  const hostName = `${address.node}-${address.port}-${address.sessionId}.${base.labDomain}`;
  const host = `${publicUrl.protocol}//${hostName}${publicUrl.port ? `:${publicUrl.port}` : ""}/`;
  const path = new URL(`/ports/${address.sessionId}/${address.node}/${address.port}/`, publicUrl).href;
  return { host, path };
}
