/** A TCP port that answers on a node's session-network address. */
export interface DetectedPort {
  node: string;
  port: number;
}

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
    "-o jsonpath='{range .items[*]}{range .spec.ports[*]}{.nodePort}{\"\\n\"}{end}{end}' 2>/dev/null; fi",
];

// /proc/net/tcp state 0A is LISTEN.
const LISTEN = "0A";

/**
 * Ports listening on every address or on a non-loopback one. Loopback-only
 * listeners (the inner containerd's, debug ports) cannot be reached through
 * the session network, so they are not offered.
 */
export function parseDiscoveryOutput(output: string): number[] {
  const [sockets = "", nodePorts = ""] = output.split(NODEPORT_MARKER);
  const ports = new Set<number>();
  for (const line of sockets.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const [local = "", , state] = fields.slice(1);
    if (state !== LISTEN) continue;
    const [addressHex = "", portHex = ""] = local.split(":");
    if (isLoopback(addressHex)) continue;
    const port = parseInt(portHex, 16);
    if (port >= 1 && port <= 65535) ports.add(port);
  }
  for (const line of nodePorts.split("\n")) {
    const port = Number(line.trim());
    if (Number.isInteger(port) && port >= 1 && port <= 65535) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
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
