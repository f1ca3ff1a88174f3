import { Controller, Get, Inject } from "@nestjs/common";
import type { TLabLimits } from "@kubelab/shared";
import { portUrlBase } from "../ports/port-address";
import { APP_CONFIG, type AppConfig } from "./app-config";

/** The limits the lab page applies before asking (any logged-in user; nothing secret, but nothing public needs it). */
@Controller("api/limits")
export class LabLimitsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  get(): TLabLimits {
    return {
      terminalsPerNode: this.config.terminals.maxPerNode,
      uploadMaxBytes: this.config.nodes.uploadMaxBytes,
      downloadMaxBytes: this.config.nodes.downloadMaxBytes,
      portUrls: portUrlBase(this.config),
    };
  }
}
