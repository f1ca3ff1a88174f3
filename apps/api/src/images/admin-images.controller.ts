import { Controller, Get } from "@nestjs/common";
import type { TAdminImageList } from "@kubelab/shared";
import { RequireRole } from "../auth/require-role.decorator";
import { NodeImages } from "./node-images.service";

@Controller("api/admin/images")
@RequireRole("admin")
export class AdminImagesController {
  constructor(private readonly images: NodeImages) {}

  /** The allowed node images with presence, size, pool and lessons, and the warnings of the admin home. */
  @Get()
  list(): Promise<TAdminImageList> {
    return this.images.report();
  }
}
