import { type CanActivate, type ExecutionContext, Injectable } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import { AppError } from "../common/app-error";
import type { AuthenticatedRequest } from "./current-user.decorator";
import { IS_PUBLIC_ROUTE } from "./public-route.decorator";
import { RequestAuth } from "./request-auth.service";
import type { TUserRole } from "@kubelab/shared";
import { REQUIRED_ROLES } from "./require-role.decorator";

/**
 * Global guard: every route requires a valid login cookie unless marked
 * @PublicRoute(), and the role named by @RequireRole() when there is one.
 */
@Injectable()
export class LoginGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly requests: RequestAuth,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const user = await this.requests.userOf(request);
    if (user) request.user = user;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    if (!user) throw new AppError("unauthenticated", "Log in first");
    const roles = this.reflector.getAllAndOverride<TUserRole[] | undefined>(REQUIRED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(user.role)) {
      throw new AppError("forbidden", `This needs the ${roles.join(" or ")} role`);
    }
    return true;
  }
}
