import type { HostConfig } from "dockerode";
import { NODE_SECCOMP_PROFILE } from "./node-seccomp-profile";

/**
 * - privileged: `--privileged` with a private cgroup namespace (hosts that allow it).
 * - capabilities: the minimal set below, Docker's masked and read-only paths,
 *   Kubelab's seccomp profile and a device allow-list (hosts that refuse privileged).
 * - userns: the capabilities profile on an engine started with `--userns-remap`,
 *   so root in a node is an unprivileged user on the host.
 */
export type NodeSecurityProfile = "privileged" | "capabilities" | "userns";

/**
 * What an inner dockerd, runc, containerd, kubelet and kube-proxy need, and no
 * more (the set measured in issue 12): Docker's default set plus SYS_ADMIN
 * (mounts, namespaces), NET_ADMIN (bridges, iptables, IPVS), SYS_PTRACE (runc
 * and the kubelet inspect other processes' namespaces), SYS_NICE (scheduling
 * and I/O priorities of nested workloads) and IPC_LOCK (memory locking).
 * Deliberately absent: SYS_MODULE, SYS_RAWIO, SYS_TIME, SYS_BOOT, SYSLOG,
 * DAC_READ_SEARCH (open_by_handle_at), SYS_RESOURCE, MAC_*, AUDIT_CONTROL,
 * LINUX_IMMUTABLE, SYS_PACCT, SYS_TTY_CONFIG, WAKE_ALARM, BLOCK_SUSPEND, LEASE.
 */
export const NODE_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "IPC_LOCK",
  "KILL",
  "MKNOD",
  "NET_ADMIN",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_ADMIN",
  "SYS_CHROOT",
  "SYS_NICE",
  "SYS_PTRACE",
] as const;

/**
 * Devices a node may open (device cgroup). Docker already grants the first
 * group to every container; they are listed so this is the complete set, and
 * because an inner runc can only hand its containers a subset of these. No
 * /dev/mem, /dev/kmem, /dev/port, /dev/kmsg or block devices: creating their
 * nodes (mknod, "m") stays allowed, as the inner engine creates the nodes its
 * containers list, but opening one fails.
 */
export const NODE_DEVICES = [
  { name: "null", rule: "c 1:3 rwm" },
  { name: "zero", rule: "c 1:5 rwm" },
  { name: "full", rule: "c 1:7 rwm" },
  { name: "random", rule: "c 1:8 rwm" },
  { name: "urandom", rule: "c 1:9 rwm" },
  { name: "tty", rule: "c 5:0 rwm" },
  { name: "console", rule: "c 5:1 rwm" },
  { name: "ptmx", rule: "c 5:2 rwm" },
  { name: "pts/*", rule: "c 136:* rwm" },
  { name: "net/tun", rule: "c 10:200 rwm" },
  { name: "fuse", rule: "c 10:229 rwm" },
  { name: "mknod (create only)", rule: "c *:* m" },
  { name: "mknod block (create only)", rule: "b *:* m" },
] as const;

/** The profile's seccomp filter as the engine receives it: Kubelab's, or none. */
export function seccompFor(profile: NodeSecurityProfile): "kubelab" | "unconfined" {
  switch (profile) {
    case "privileged":
      // Docker before 26.0 (moby PR 47500) ignores any seccomp option on
      // privileged containers, so none is given: the facts stay true everywhere.
      return "unconfined";
    case "capabilities":
    case "userns":
      return "kubelab";
  }
}

/** HostConfig as Engine API 1.41 takes it (dockerode's types predate CgroupnsMode). */
export type NodeHostConfig = HostConfig & { CgroupnsMode?: "private" | "host" };

/** The HostConfig fragment that lets a node run its own Docker engine under the given profile. */
export function securityHostConfig(profile: NodeSecurityProfile): NodeHostConfig {
  // A private cgroup namespace: the node sees (and can mount) only its own
  // subtree, never other nodes' cgroups or the hierarchy root's release_agent.
  const cgroupns = { CgroupnsMode: "private" } as const;
  if (profile === "privileged") return { ...cgroupns, Privileged: true };
  return {
    ...cgroupns,
    CapDrop: ["ALL"],
    CapAdd: [...NODE_CAPABILITIES],
    // AppArmor's docker-default profile refuses every mount the inner engine
    // makes; hosts without AppArmor ignore this option.
    SecurityOpt: [
      ...(seccompFor(profile) === "kubelab" ? [`seccomp=${JSON.stringify(NODE_SECCOMP_PROFILE)}`] : []),
      "apparmor=unconfined",
    ],
    // Docker's default masked and read-only paths (/proc/sys, /proc/sysrq-trigger, /proc/kcore ...) stay.
    DeviceCgroupRules: NODE_DEVICES.map((d) => d.rule),
  };
}
