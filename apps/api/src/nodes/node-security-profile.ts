import type { HostConfig } from "dockerode";

export type NodeSecurityProfile = "privileged" | "capabilities" | "userns";

// Everything `--privileged` grants except CAP_SYS_RESOURCE, which some hosts
// (these CI machines among them) keep out of the bounding set, so that asking
// for it makes container start fail. Docker 20.10 rejects BPF, PERFMON and
// CHECKPOINT_RESTORE by name; SYS_ADMIN already covers what they gate there.
const NODE_CAPABILITIES = [
  "AUDIT_CONTROL",
  "AUDIT_READ",
  "AUDIT_WRITE",
  "BLOCK_SUSPEND",
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "IPC_LOCK",
  "IPC_OWNER",
  "KILL",
  "LEASE",
  "LINUX_IMMUTABLE",
  "MAC_ADMIN",
  "MAC_OVERRIDE",
  "MKNOD",
  "NET_ADMIN",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYSLOG",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_CHROOT",
  "SYS_MODULE",
  "SYS_NICE",
  "SYS_PACCT",
  "SYS_PTRACE",
  "SYS_RAWIO",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "WAKE_ALARM",
];

/** The HostConfig fragment that lets a node run its own Docker engine under the given profile. */
export function securityHostConfig(profile: NodeSecurityProfile): HostConfig {
  if (profile === "privileged") return { Privileged: true };
  return {
    CapAdd: NODE_CAPABILITIES,
    SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
    // The API form of the CLI's `--security-opt systempaths=unconfined`: the
    // inner engine must write /proc/sys and mount over /sys like the host does.
    MaskedPaths: [],
    ReadonlyPaths: [],
    // The inner engine creates device nodes for its own containers.
    DeviceCgroupRules: ["a *:* rwm"],
  };
}
