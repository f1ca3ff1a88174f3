import { Inject, Injectable } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { DockerEngine } from "../nodes/docker-engine.adapter";
import { CachedCheck, readiness, type Phase } from "./readiness";

/**
 * Readiness (may this process take traffic now?), as opposed to liveness (/api/health). Not ready
 * while starting (migrations, reconciliation: the port then answers 503 from startup-responder.ts),
 * while stopping, or while the Docker engine does not answer a ping (cached READY_CHECK_INTERVAL).
 */
@Injectable()
export class Readiness {
  private phase: Phase = "starting";
  private readonly engineCheck: CachedCheck;

  constructor(engine: DockerEngine, @Inject(APP_CONFIG) config: AppConfig) {
    this.engineCheck = new CachedCheck(() => engine.ping(), config.server.readyCheckSeconds * 1000);
  }

  markServing(): void {
    this.phase = "serving";
  }

  markStopping(): void {
    this.phase = "stopping";
  }

  async check(): Promise<ReturnType<typeof readiness>> {
    return readiness(this.phase, await this.engineCheck.ok());
  }
}
