import { Body, Controller, Get, Inject, Param, Put, Req } from "@nestjs/common";
import { ZAdminEngineUpdate, type TAdminEngineList } from "@kubelab/shared";
import type { Request } from "express";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import { AppError } from "../common/app-error";
import { clientAddress } from "../common/request-origin";
import { parseBody } from "../common/zod-validation";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { DockerEngines } from "./docker-engines.service";

/** The Docker engines sessions run on, their load, and an admin's drain (docs/scale-out.md). */
@Controller("api/admin/engines")
@RequireRole("admin")
export class AdminEnginesController {
  constructor(
    private readonly engines: DockerEngines,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list(): Promise<TAdminEngineList> {
    const loads = await this.engines.loads();
    const engines = this.engines.states().map((state) => {
      const load = loads.find((l) => l.name === state.name)!;
      return {
        name: state.name,
        address: state.address,
        state: state.up ? ("up" as const) : ("down" as const),
        downSince: state.downSince?.toISOString() ?? null,
        lastError: state.lastError,
        draining: state.draining,
        sessions: load.sessions,
        memoryBytes: load.memoryBytes,
        maxSessions: load.maxSessions,
        maxMemoryBytes: load.maxMemoryBytes,
      };
    });
    return { engines, lostAfterSeconds: this.config.docker.engineLostAfterSeconds };
  }

  /** Drains an engine (no new sessions go there; its sessions run out) or lifts the drain. */
  @Put(":name")
  async update(
    @CurrentUser() admin: User,
    @Param("name") name: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<TAdminEngineList> {
    const { draining } = parseBody(ZAdminEngineUpdate, body ?? {});
    if (!this.engines.all().some((engine) => engine.name === name)) {
      throw new AppError("not_found", `No Docker engine is named ${name}`);
    }
    await this.audit.record({
      actorId: admin.id,
      action: draining ? AUDIT_ACTIONS.engineDrained : AUDIT_ACTIONS.engineUndrained,
      targetType: "engine",
      targetId: name,
      clientAddress: clientAddress(req, this.config),
    });
    await this.engines.setDraining(name, draining, admin.id);
    return this.list();
  }
}
