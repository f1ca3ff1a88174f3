import { z } from "zod";

export const ZNodeSecurityProfile = z.enum(["privileged", "capabilities", "userns"]);
export type TNodeSecurityProfile = z.infer<typeof ZNodeSecurityProfile>;

/**
 * What root inside a node can still do under a profile. Codes, not prose: the
 * admin console and docs/operations.md explain each in the reader's language.
 */
export const ZNodeResidualRisk = z.enum([
  // Every profile: nodes share the host kernel, so a kernel bug is an escape.
  "shared_kernel",
  // privileged: every capability and device; root in a node is root on the host.
  "host_root",
  // capabilities: CAP_SYS_ADMIN in the host's user namespace can remount /proc/sys
  // read-write and change host-wide kernel settings.
  "sys_admin_remount",
  // Nodes can use the Internet (NODE_EGRESS=internet): abuse leaves from this host's address.
  "internet_egress",
]);
export type TNodeResidualRisk = z.infer<typeof ZNodeResidualRisk>;

/** GET /api/admin/node-security: how nodes are isolated on this installation, and what that leaves open. */
export const ZNodeSecurityReport = z.object({
  /** NODE_SECURITY_PROFILE as configured (`auto` picks a profile by asking the engine). */
  configuredProfile: z.enum(["auto", "privileged", "capabilities", "userns"]),
  /** The profile new nodes get; null when the engine could not be asked (see `profileError`). */
  activeProfile: ZNodeSecurityProfile.nullable(),
  profileError: z.string().nullable(),
  /** Linux capabilities of root in a node; ["ALL"] when privileged. */
  capabilities: z.array(z.string()),
  /** `kubelab`: Kubelab's seccomp profile (module loading, kexec, dmesg... refused). */
  seccomp: z.enum(["kubelab", "unconfined"]),
  cgroupNamespace: z.enum(["private", "host"]),
  userNamespace: z.boolean(),
  /** Device nodes a node may use; ["all"] when privileged (every host device). */
  devices: z.array(z.string()),
  egress: z.object({ mode: z.enum(["internet", "none"]), allow: z.array(z.string()) }),
  diskLimitBytes: z.number().int(),
  residualRisks: z.array(ZNodeResidualRisk),
});
export type TNodeSecurityReport = z.infer<typeof ZNodeSecurityReport>;
