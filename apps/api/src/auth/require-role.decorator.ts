import { SetMetadata } from "@nestjs/common";
import type { TUserRole } from "@kubelab/shared";

export const REQUIRED_ROLES = "kubelab:required-roles";

/** Restricts a route (or controller) to users holding one of these roles; checked by LoginGuard. */
export const RequireRole = (...roles: TUserRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLES, roles);
