import { createParamDecorator, type ExecutionContext } from "@nestjs/common";
import type { Request } from "express";
import type { User } from "../generated/prisma/client";

export interface AuthenticatedRequest extends Request {
  user?: User;
}

/** The logged-in user; only valid on routes behind LoginGuard (every route not marked public). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): User => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!user) throw new Error("CurrentUser used on a route without a login");
  return user;
});
