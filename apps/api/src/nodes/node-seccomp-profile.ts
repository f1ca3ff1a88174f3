/**
 * Kubelab's own seccomp profile for nodes, in Docker's profile format (loaded
 * as `SecurityOpt: ["seccomp=<this as JSON>"]`). Everything is allowed except
 * system calls that act on the whole host rather than on the node's own
 * namespaces; those fail with EPERM.
 *
 * Docker's default profile cannot be used: it refuses what Docker-in-Docker
 * needs (keyctl/add_key for the inner runc's session keyring, mount, unshare,
 * setns, pivot_root, bpf for device cgroups on v2). So this list is a deny
 * list on top of the capability set, which already refuses most of the same
 * calls; the filter keeps them refused if a capability is ever added back.
 *
 * `mount` is not filtered by flags (e.g. MS_REMOUNT without MS_RDONLY): the
 * inner runc itself remounts bind mounts with MS_REMOUNT|MS_BIND and no
 * MS_RDONLY, and with CAP_SYS_ADMIN a read-only /proc/sys is undone as well by
 * unmounting it or mounting a fresh procfs, which a flag filter cannot see.
 */
export const NODE_SECCOMP_DENIED_SYSCALLS = [
  // Kernel modules.
  "init_module",
  "finit_module",
  "delete_module",
  "create_module",
  "query_module",
  "get_kernel_syms",
  // Replacing the running kernel, or rebooting (the host's when not in a PID namespace).
  "kexec_load",
  "kexec_file_load",
  "reboot",
  // File handles bypass the mount namespace (the "shocker" escape).
  "open_by_handle_at",
  // The host's kernel log (dmesg).
  "syslog",
  // Raw I/O ports.
  "iopl",
  "ioperm",
  // Host-wide swap, process accounting, clock and legacy interfaces.
  "swapon",
  "swapoff",
  "acct",
  "settimeofday",
  "stime",
  "clock_settime",
  "adjtimex",
  "clock_adjtime",
  "lookup_dcookie",
  "nfsservctl",
  "_sysctl",
  "uselib",
  // Host-wide performance counters and tracing (reads other tenants' activity).
  "perf_event_open",
];

export const NODE_SECCOMP_PROFILE = {
  defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [{ names: NODE_SECCOMP_DENIED_SYSCALLS, action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
} as const;
