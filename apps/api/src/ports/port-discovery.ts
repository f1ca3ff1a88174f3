/** A TCP port that answers on a node's session-network address. */
export interface DetectedPort {
  node: string;
  port: number;
  /** "namespace/name" of the Kubernetes service when the port is one of its NodePorts. */
  service: string | null;
}

export type FoundPort = Omit<DetectedPort, "node">;

const NODEPORT_MARKER = "--nodeports--";

/**
 * One exec per node and discovery: the kernel's listening sockets (readable
 * in any image, unlike ss or netstat) and, when the node runs a Kubernetes
 * control plane, the NodePorts of all services (kube-proxy answers them
 * without a listening socket).
 */
export const DISCOVERY_COMMAND = [
  "sh",
  "-c",
  "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; " +
    "if [ -r /etc/kubernetes/admin.conf ] && command -v kubectl >/dev/null 2>&1; then " +
    `echo ${NODEPORT_MARKER}; ` +
    "timeout 5 kubectl --kubeconfig /etc/kubernetes/admin.conf get svc -A " +
    // One line per service: "namespace/name nodePort..." (ports without a NodePort print nothing).
    "-o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{range .spec.ports[*]} {.nodePort}{end}{\"\\n\"}{end}' " +
    "2>/dev/null; fi",
];

// /proc/net/tcp state 0A is LISTEN.
const LISTEN = "0A";

/**
 * Ports listening on every address or on a non-loopback one. Loopback-only
 * listeners (the inner containerd's, debug ports) cannot be reached through
 * the session network, so they are not offered.
 */
export function parseDiscoveryOutput(output: string): FoundPort[] {
  const [sockets = "", nodePorts = ""] = output.split(NODEPORT_MARKER);
  const ports = new Map<number, FoundPort>();
  for (const line of sockets.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const [local = "", , state] = fields.slice(1);
    if (state !== LISTEN) continue;
    const [addressHex = "", portHex = ""] = local.split(":");
    if (isLoopback(addressHex)) continue;
    const port = parseInt(portHex, 16);
    if (isPort(port)) ports.set(port, { port, service: null });
  }
  for (const line of nodePorts.split("\n")) {
    const [service = "", ...numbers] = line.trim().split(/\s+/);
    if (!/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(service)) continue;
    for (const text of numbers) {
      const port = Number(text);
      // kube-proxy answers a NodePort without a listening socket; the service name is what users recognise.
      if (isPort(port)) ports.set(port, { port, service });
    }
  }
  return [...ports.values()].sort((a, b) => a.port - b.port);
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

// Addresses are little-endian hex per 32-bit word: 127.x.x.x ends in "7F"; ::1 and ::ffff:127.x as below.
function isLoopback(hex: string): boolean {
  if (hex.length === 8) return hex.endsWith("7F");
  if (hex.length === 32) {
    if (hex === "00000000000000000000000001000000") return true;
    return hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F");
  }
  return false;
}
