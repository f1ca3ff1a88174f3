import {
  NODE_CAPABILITIES,
  NODE_DEVICES,
  seccompFor,
  securityHostConfig,
  type NodeSecurityProfile,
} from "./node-security-profile";

export interface NodeSecurityFacts {
  /** Capabilities root in a node holds ("ALL" for privileged). */
  capabilities: string[];
  seccomp: "kubelab" | "unconfined";
  cgroupNamespace: "private" | "host";
  /** Whether root in a node is an unprivileged user on the host. */
  userNamespace: boolean;
  /** Devices a node may open ("all" for privileged: every host device). */
  devices: string[];
}

/**
 * What a node may do under a profile, for the admin console. Read from the
 * same constants and HostConfig the engine receives, so it cannot drift.
 */
export function nodeSecurityFacts(profile: NodeSecurityProfile): NodeSecurityFacts {
  const hostConfig = securityHostConfig(profile);
  const privileged = hostConfig.Privileged === true;
  return {
    capabilities: privileged ? ["ALL"] : [...NODE_CAPABILITIES],
    seccomp: seccompFor(profile),
    cgroupNamespace: hostConfig.CgroupnsMode === "private" ? "private" : "host",
    userNamespace: profile === "userns",
    devices: privileged ? ["all"] : NODE_DEVICES.map((d) => d.name),
  };
}
