// PROVISIONAL (integrator scaffold, replaced by the isolation branch's version at merge).
import type { NodeSecurityProfile } from "./node-security-profile";

export interface NodeSecurityFacts {
  capabilities: string[];
  seccomp: "kubelab" | "unconfined";
  cgroupNamespace: "private" | "host";
  userNamespace: boolean;
  devices: string[];
}

export function nodeSecurityFacts(profile: NodeSecurityProfile): NodeSecurityFacts {
  if (profile === "privileged") {
    return {
      capabilities: ["ALL"],
      seccomp: "unconfined",
      cgroupNamespace: "private",
      userNamespace: false,
      devices: ["ALL"],
    };
  }
  return {
    capabilities: ["SYS_ADMIN"],
    seccomp: "kubelab",
    cgroupNamespace: "private",
    userNamespace: false,
    devices: [],
  };
}
