import type { TNodeResidualRisk } from "@kubelab/shared";
import type { AppConfig } from "../config/app-config";
import type { NodeSecurityProfile } from "./node-security-profile";

/**
 * What root in a node can still do with this profile and egress policy: the
 * honest statement behind the admin console and docs/operations.md. Kept next
 * to the profiles so a change to one is a change to the other.
 */
export function residualRisks(profile: NodeSecurityProfile, egress: AppConfig["nodes"]["egress"]): TNodeResidualRisk[] {
  const risks: TNodeResidualRisk[] = ["shared_kernel"];
  switch (profile) {
    case "privileged":
      risks.push("host_root");
      break;
    case "capabilities":
      risks.push("sys_admin_remount");
      break;
    case "userns":
      break;
  }
  if (egress === "internet") risks.push("internet_egress");
  return risks;
}
