import { SetMetadata } from "@nestjs/common";

export const IS_PUBLIC_ROUTE = "kubelab:public-route";

/** Routes need a login unless they say otherwise, visibly, with this decorator. */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_ROUTE, true);
