import { Inject, Injectable } from "@nestjs/common";
import type { TNodeUsage } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { NodeStatsSampler } from "../nodes/node-stats.sampler";
import { diskMeasureKey, NodeDiskMonitor } from "./node-disk.monitor";

/** Share of a node's memory or disk limit from which the lab page warns (as the disk monitor does). */
export const USAGE_WARN_SHARE = 0.9;

/**
 * The latest use of each node of a session, put together from what the monitors already hold in
 * memory: CPU and memory from NodeStatsSampler, disk from NodeDiskMonitor's last pass. Never asks
 * the engine: page requests and polls cost no Docker call.
 */
@Injectable()
export class NodeUsage {
  constructor(
    private readonly stats: NodeStatsSampler,
    private readonly disk: NodeDiskMonitor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  of(sessionId: string, nodes: { name: string; status: string }[]): TNodeUsage[] {
    const disk = this.disk.latest();
    return [...nodes]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((node) => {
        const sample = this.stats.latest(sessionId, node.name);
        return {
          name: node.name,
          status: node.status,
          cpuPercent: sample?.cpuPercent ?? null,
          memoryBytes: sample?.memoryBytes ?? null,
          memoryLimitBytes: sample?.memoryLimitBytes || this.config.nodes.memoryBytes,
          diskBytes: disk.nodes.get(diskMeasureKey(sessionId, node.name)) ?? null,
          diskLimitBytes: disk.limitBytes,
          pids: sample?.pids ?? null,
          pidsLimit: sample?.pidsLimit ?? null,
          sampledAt: sample?.at.toISOString() ?? null,
        };
      });
  }
}
