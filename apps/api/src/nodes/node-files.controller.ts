import { Controller, Get, HttpCode, Inject, Logger, Param, Put, Query, Req, Res } from "@nestjs/common";
import type { Request, Response } from "express";
import type { Readable } from "node:stream";
import { SessionAccess } from "../access/session-access.service";
import { CurrentUser } from "../auth/current-user.decorator";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import type { ContainerPathStat, DockerEngine } from "./docker-engine.adapter";
import { DockerEngines } from "./docker-engines.service";
import { attachmentDisposition, downloadPath, firstFileOf, formatSize, pathKind } from "./node-file-download";

// A plain file name: no directories, no dot-only names, nothing the shell or tar would reinterpret.
const FILE_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/;
const UPLOAD_DIR = "/root";
// Symlinks followed before a download gives up (Docker reports a link's target fully resolved, so one is usual).
const MAX_LINK_HOPS = 4;

@Controller("api/sessions/:id/nodes/:node/files")
export class NodeFilesController {
  private readonly logger = new Logger("NodeFiles");

  constructor(
    private readonly access: SessionAccess,
    private readonly engines: DockerEngines,
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
    const engine = await this.engines.forSession(id);
    await engine.putFile(node.containerId!, UPLOAD_DIR, name, declared, req);
    return { path: `${UPLOAD_DIR}/${name}`, size: declared };
  }

  /**
   * Sends one regular file of the node (?path=/absolute/path) as an attachment, streamed out of
   * Docker's archive of it (never held in memory whole). 400 for relative paths and `.`/`..`
   * segments, 404 for a missing file or a directory, 413 above DOWNLOAD_MAX_SIZE.
   */
  @Get()
  async download(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("node") nodeName: string,
    @Query("path") rawPath: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const path = downloadPath(rawPath);
    const { node } = await this.access.node(user, id, nodeName, "download");
    const engine = await this.engines.forSession(id);
    const { stat, archive } = await this.openRegularFile(engine, node.containerId!, path);
    let file: { size: number; stream: Readable };
    try {
      file = await firstFileOf(archive);
    } catch (error) {
      archive.destroy();
      throw error;
    }
    res.status(200).set({
      "Content-Type": "application/octet-stream",
      "Content-Length": String(file.size),
      "Content-Disposition": attachmentDisposition(stat.name || path),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    await this.send(file.stream, archive, res, `${nodeName}:${path}`, engine.callTimeoutMs);
  }

  /** The archive of `path`, following symlinks, once it is known to be a regular file within the limit. */
  private async openRegularFile(
    engine: DockerEngine,
    containerId: string,
    requested: string,
  ): Promise<{ stat: ContainerPathStat; archive: Readable }> {
    let path = requested;
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop += 1) {
      const opened = await engine.readArchive(containerId, path);
      if (!opened) throw new AppError("not_found", `No such file in the node: ${requested}`);
      const { stat, archive } = opened;
      const kind = pathKind(stat.mode);
      if (kind === "file") {
        const max = this.config.nodes.downloadMaxBytes;
        if (stat.size <= max) return opened;
        archive.destroy();
        throw new AppError(
          "payload_too_large",
          `${requested} is ${formatSize(stat.size)}; downloads may be at most ${formatSize(max)}`,
        );
      }
      archive.destroy();
      if (kind === "directory") throw new AppError("not_found", `${requested} is a directory, not a file`);
      if (kind === "other" || !stat.linkTarget.startsWith("/")) {
        throw new AppError("not_found", `${requested} is not a regular file`);
      }
      path = stat.linkTarget;
    }
    throw new AppError("not_found", `${requested} is a chain of symbolic links too long to follow`);
  }

  /**
   * Pipes the file to the client. Docker holds the node's lock until the copy ends, so a client
   * that stops reading for DOCKER_TIMEOUT is cut off instead of blocking the node's terminals.
   */
  private send(file: Readable, archive: Readable, res: Response, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let idle: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = (problem?: string): void => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        if (problem) {
          this.logger.warn(`Download of ${what} stopped: ${problem}`);
          file.destroy();
          res.destroy();
        }
        archive.destroy();
        resolve();
      };
      const armIdle = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => finish(`no progress for ${timeoutMs / 1000} s`), timeoutMs);
      };
      armIdle();
      file.on("data", armIdle);
      file.on("error", (error) => finish(error.message));
      res.on("close", () => finish(res.writableFinished ? undefined : "the client went away"));
      file.pipe(res);
    });
  }
}
