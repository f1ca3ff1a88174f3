import { createHash } from "node:crypto";
import { isIPv4 } from "node:net";
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
export type IptablesBackend = "nft" | "legacy";

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
  /** The name servers the engine hands to containers; DNS to them stays open with `internet`. */
  resolvers: string[];
}

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
  const dns = policy.egress === "internet" ? policy.resolvers.filter(isIPv4) : [];
  const dnsRules = (chain: string): string[] =>
    dns.flatMap((ip) => ["udp", "tcp"].map((proto) => `-A ${chain} -d ${ip}/32 -p ${proto} --dport 53 -j RETURN`));

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

export interface FirewallProbe {
  backend: IptablesBackend;
  ipv6: boolean;
  resolvers: string[];
}

// Docker's own rules live in whichever iptables flavour the host's `iptables` is; a rule in the
// other one would be silently ignored by half of the packet path, so ours go where DOCKER-USER is.
const DETECT_BACKEND = [
  "backend=",
  "for b in nft legacy; do",
  "  if iptables-$b -S DOCKER-USER >/dev/null 2>&1; then backend=$b; break; fi",
  "done",
].join("\n");

/** Prints `backend <nft|legacy>`, `ipv6` and `resolver <ip>` lines (run in the host's network namespace). */
export function probeScript(): string {
  return [
    "set -u",
    DETECT_BACKEND,
    '[ -n "$backend" ] && echo "backend $backend"',
    "[ -e /proc/net/if_inet6 ] && echo ipv6",
    'awk \'$1 == "nameserver" { print "resolver", $2 }\' /etc/resolv.conf 2>/dev/null',
    "exit 0",
  ].join("\n");
}

export function parseProbe(output: string): FirewallProbe {
  const lines = output.split("\n").map((line) => line.trim().split(/\s+/));
  const backend = lines.find(([key]) => key === "backend")?.[1];
  if (backend !== "nft" && backend !== "legacy") {
    throw new Error(
      "no DOCKER-USER chain in iptables-nft or iptables-legacy on the Docker host (is dockerd running with --iptables=false?)",
    );
  }
  // Docker gives containers the host's name servers minus loopback ones (unreachable from a container).
  const resolvers = lines
    .filter(([key, ip]) => key === "resolver" && ip !== undefined && isIPv4(ip) && !ip.startsWith("127."))
    .map(([, ip]) => ip!);
  return { backend, ipv6: lines.some(([key]) => key === "ipv6"), resolvers };
}

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

function tool(family: FirewallJump["family"], backend: IptablesBackend): string {
  return `${family === "ipv4" ? "iptables" : "ip6tables"}-${backend}`;
}

/** Installs or refreshes the plan; stops at the first failing command (the caller then fails closed). */
export function applyScript(plan: FirewallPlan, probe: FirewallProbe): string {
  const families: FirewallJump["family"][] = probe.ipv6 ? ["ipv4", "ipv6"] : ["ipv4"];
  const lines = ["set -eu"];
  for (const family of families) {
    const restore = family === "ipv4" ? plan.ipv4Restore : plan.ipv6Restore;
    lines.push(`printf '%s' ${quote(restore)} | ${tool(family, probe.backend)}-restore --noflush`);
  }
  for (const jump of plan.jumps.filter((j) => families.includes(j.family))) {
    const cmd = tool(jump.family, probe.backend);
    const rule = jump.rule.map(quote).join(" ");
    lines.push(`${cmd} -C ${jump.from} ${rule} 2>/dev/null || ${cmd} -I ${jump.from} 1 ${rule}`);
  }
  lines.push("echo installed");
  return lines.join("\n");
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
