import { createHash } from "node:crypto";
import { sessionBridgePrefix } from "./session-bridge-name";

/**
 * Destinations a node never reaches unless NODE_EGRESS_ALLOW lists them: private and shared address
 * space, link-local (169.254.169.254, the cloud metadata service, lives there), loopback,
 * "this network", IETF protocol assignments, benchmarking, multicast and reserved space. The
 * documentation ranges (TEST-NET-1/2/3) are left alone: nothing real lives there.
 */
export const BLOCKED_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/4",
  "240.0.0.0/4",
] as const;

export type EgressPolicy = "internet" | "none";

export interface FirewallIds {
  /** Interface prefix of this installation's session bridges (`-i <prefix>+`). */
  bridgePrefix: string;
  /** Traffic from nodes to the host's own addresses (filter/INPUT). */
  inputChain: string;
  /** Traffic from nodes to anywhere else (filter/DOCKER-USER, i.e. FORWARD before Docker's rules). */
  forwardChain: string;
  /** Every IPv6 packet from nodes (filter/INPUT and FORWARD of ip6tables). */
  ipv6Chain: string;
  /** Comment on the jump rules, so `iptables -S | grep kubelab` shows whose they are. */
  comment: string;
}

export interface FirewallJump {
  family: "ipv4" | "ipv6";
  /** The built-in (or Docker's) chain that jumps to ours. */
  from: "INPUT" | "DOCKER-USER" | "FORWARD";
  /** Arguments after `-I <from> 1` / `-C <from>` / `-D <from>`. */
  rule: string[];
}

export interface FirewallPlan {
  ids: FirewallIds;
  /** Input for `iptables-restore --noflush`: declares (and so empties) our chains, then fills them, atomically. */
  ipv4Restore: string;
  ipv6Restore: string;
  jumps: FirewallJump[];
}

export interface FirewallPolicy {
  instanceId: string;
  egress: EgressPolicy;
  /** CIDRs from NODE_EGRESS_ALLOW. */
  egressAllow: string[];
}

// Stands for "DNS to each of the host's name servers" in a restore text; the install script expands
// it on the Docker host, where /etc/resolv.conf is. Unexpanded it is a comment to iptables-restore.
const DNS_MARKER = "#kubelab-dns";

export function firewallIds(instanceId: string): FirewallIds {
  // Chain names hold at most 28 characters; a hash keeps every valid INSTANCE_ID within that.
  const tag = createHash("sha256").update(instanceId).digest("hex").slice(0, 10).toUpperCase();
  return {
    bridgePrefix: sessionBridgePrefix(instanceId),
    inputChain: `KUBELAB-${tag}-IN`,
    forwardChain: `KUBELAB-${tag}-FWD`,
    ipv6Chain: `KUBELAB-${tag}-V6`,
    comment: `kubelab:${instanceId}`,
  };
}

/** The complete rule set of one installation; a pure function of its policy. */
export function buildFirewallPlan(policy: FirewallPolicy): FirewallPlan {
  const ids = firewallIds(policy.instanceId);
  const { inputChain: input, forwardChain: forward, ipv6Chain: v6 } = ids;
  // Docker forwards external names from the node's namespace to the host's name servers, often on
  // a private or host address: with `internet` their port 53 stays open, and nothing else of them.
  const dnsRules = (chain: string): string[] => (policy.egress === "internet" ? [`${DNS_MARKER} ${chain}`] : []);

  const ipv4 = [
    "*filter",
    `:${input} - [0:0]`,
    `:${forward} - [0:0]`,
    `-F ${input}`,
    `-F ${forward}`,
    // To the host itself: only replies (the port proxy and terminals connect host → node) and DNS.
    `-A ${input} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`,
    ...dnsRules(input),
    `-A ${input} -j DROP`,
    // Routed traffic from a node. Bridged traffic stays inside one session network (node1 <-> node2,
    // and Kubelab's own container in docker-compose); it never leaves the bridge, so Docker's rules decide.
    `-A ${forward} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`,
    `-A ${forward} -m physdev --physdev-is-bridged -j RETURN`,
    // A new connection that was DNATed hit a port the host publishes (`docker run -p`): a host service.
    `-A ${forward} -m conntrack --ctstate DNAT -j DROP`,
    ...dnsRules(forward),
    ...policy.egressAllow.map((cidr) => `-A ${forward} -d ${cidr} -j RETURN`),
    ...BLOCKED_RANGES.map((cidr) => `-A ${forward} -d ${cidr} -j DROP`),
    ...(policy.egress === "none" ? [`-A ${forward} -j DROP`] : []),
    "COMMIT",
    "",
  ].join("\n");

  // Session networks have no IPv6, but a node holding NET_ADMIN can switch it on in its own
  // namespace and reach the host's link-local address on the bridge: nothing IPv6 gets through.
  const ipv6 = ["*filter", `:${v6} - [0:0]`, `-F ${v6}`, `-A ${v6} -j DROP`, "COMMIT", ""].join("\n");

  return { ids, ipv4Restore: ipv4, ipv6Restore: ipv6, jumps: jumpsFor(ids) };
}

function jumpsFor(ids: FirewallIds): FirewallJump[] {
  const from = ["-i", `${ids.bridgePrefix}+`, "-m", "comment", "--comment", ids.comment];
  return [
    { family: "ipv4", from: "INPUT", rule: [...from, "-j", ids.inputChain] },
    { family: "ipv4", from: "DOCKER-USER", rule: [...from, "-j", ids.forwardChain] },
    { family: "ipv6", from: "INPUT", rule: [...from, "-j", ids.ipv6Chain] },
    { family: "ipv6", from: "FORWARD", rule: [...from, "-j", ids.ipv6Chain] },
  ];
}

// Docker's own rules live in whichever iptables flavour the host's `iptables` is; a rule in the
// other one would be silently ignored by half of the packet path, so ours go where DOCKER-USER is.
const DETECT_BACKEND = [
  "backend=",
  "for b in nft legacy; do",
  "  if iptables-$b -S DOCKER-USER >/dev/null 2>&1; then backend=$b; break; fi",
  "done",
].join("\n");

// Docker hands containers the host's name servers minus loopback ones (unreachable from a container).
const READ_RESOLVERS =
  "resolvers=$(awk '$1 == \"nameserver\" && $2 ~ /^[0-9.]+$/ && $2 !~ /^127\\./ { print $2 }' /etc/resolv.conf 2>/dev/null | tr '\\n' ' ')";

const EXPAND_DNS = [
  `$1 == "${DNS_MARKER}" {`,
  '  n = split(ns, a, " ")',
  '  for (i = 1; i <= n; i++) if (a[i] != "") {',
  '    print "-A " $2 " -d " a[i] "/32 -p udp --dport 53 -j RETURN"',
  '    print "-A " $2 " -d " a[i] "/32 -p tcp --dport 53 -j RETURN"',
  "  }",
  "  next",
  "}",
  "{ print }",
].join("\n");

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Installs or refreshes the plan in the host's network namespace and prints
 * `installed backend=<nft|legacy> ipv6=<yes|no> resolvers=<servers>`. Stops at the first failing command
 * (the caller then fails closed).
 */
export function installScript(plan: FirewallPlan): string {
  const jumps = (family: FirewallJump["family"]): string[] =>
    plan.jumps
      .filter((jump) => jump.family === family)
      .map((jump) => {
        const cmd = `${family === "ipv4" ? "iptables" : "ip6tables"}-$backend`;
        const rule = jump.rule.map(quote).join(" ");
        return `${cmd} -C ${jump.from} ${rule} 2>/dev/null || ${cmd} -I ${jump.from} 1 ${rule}`;
      });
  return [
    "set -eu",
    DETECT_BACKEND,
    'if [ -z "$backend" ]; then',
    '  echo "no DOCKER-USER chain in iptables-nft or iptables-legacy on the Docker host (dockerd with --iptables=false?)" >&2',
    "  exit 3",
    "fi",
    READ_RESOLVERS,
    `printf '%s' ${quote(plan.ipv4Restore)} | awk -v ns="$resolvers" ${quote(EXPAND_DNS)} | iptables-$backend-restore --noflush`,
    ...jumps("ipv4"),
    "ipv6=no",
    "if [ -e /proc/net/if_inet6 ]; then",
    `  printf '%s' ${quote(plan.ipv6Restore)} | ip6tables-$backend-restore --noflush`,
    ...jumps("ipv6").map((line) => `  ${line}`),
    "  ipv6=yes",
    "fi",
    'echo "installed backend=$backend ipv6=$ipv6 resolvers=$resolvers"',
  ].join("\n");
}

/** Removes the jumps (every copy) and the chains of one installation, in whichever backend holds them. */
export function removeScript(ids: FirewallIds): string {
  const lines = ["set -u", DETECT_BACKEND, '[ -n "$backend" ] || backend=nft'];
  const cmd = (family: FirewallJump["family"]): string => `${family === "ipv4" ? "iptables" : "ip6tables"}-$backend`;
  for (const jump of jumpsFor(ids)) {
    lines.push(`while ${cmd(jump.family)} -D ${jump.from} ${jump.rule.map(quote).join(" ")} 2>/dev/null; do :; done`);
  }
  for (const [family, chain] of [
    ["ipv4", ids.inputChain],
    ["ipv4", ids.forwardChain],
    ["ipv6", ids.ipv6Chain],
  ] as const) {
    const c = cmd(family);
    lines.push(`if ${c} -S ${chain} >/dev/null 2>&1; then ${c} -F ${chain} && ${c} -X ${chain} || exit 1; fi`);
  }
  lines.push("echo removed");
  return lines.join("\n");
}
