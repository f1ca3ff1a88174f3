import { Controller, HttpCode, Inject, Param, Put, Req } from "@nestjs/common";
import type { Request } from "express";
import { SessionAccess } from "../access/session-access.service";
import { CurrentUser } from "../auth/current-user.decorator";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { DockerEngine } from "./docker-engine.adapter";

// A plain file name: no directories, no dot-only names, nothing the shell or tar would reinterpret.
const FILE_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/;
const UPLOAD_DIR = "/root";

@Controller("api/sessions/:id/nodes/:node/files")
export class NodeFilesController {
  constructor(
    private readonly access: SessionAccess,
    private readonly engine: DockerEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Uploads the raw request body as /root/<name> in the node (drag and drop onto a terminal). */
  @Put(":name")
  @HttpCode(201)
  async upload(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("node") nodeName: string,
    @Param("name") name: string,
    @Req() req: Request,
  ): Promise<{ path: string; size: number }> {
    if (!FILE_NAME.test(name)) {
      throw new AppError(
        "bad_request",
        "File names may contain letters, digits, spaces, dots, dashes and underscores only",
      );
    }
    const { node } = await this.access.node(user, id, nodeName, "upload");
    const declared = Number(req.headers["content-length"]);
    if (!Number.isInteger(declared) || declared < 0) {
      throw new AppError("bad_request", "Send the file as the request body with a Content-Length header");
    }
    const max = this.config.nodes.uploadMaxBytes;
    if (declared > max) {
      req.resume(); // drain what the client already sent, so it sees the 413 rather than a reset
      throw new AppError("payload_too_large", `Files may be at most ${Math.round(max / 1024 / 1024)} MiB`);
    }
    await this.engine.putFile(node.containerId!, UPLOAD_DIR, name, declared, req);
    return { path: `${UPLOAD_DIR}/${name}`, size: declared };
  }
}
