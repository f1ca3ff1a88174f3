import type { TLessonNodeResources } from "@kubelab/shared";

// Docker refuses tiny limits, and a node below this cannot even start its engine.
const MIN_NODE_MEMORY = 256 * 1024 ** 2;

/** A lesson's memory request in bytes ("4g", "1536m"). */
export function memoryBytes(memory: string): number {
  const unit = memory.slice(-1).toLowerCase() === "g" ? 1024 ** 3 : 1024 ** 2;
  return Math.round(Number(memory.slice(0, -1)) * unit);
}

/** The admin's per-node figures: what a node gets by default, and the most a lesson may ask for. */
export interface NodeResourceLimits {
  memoryBytes: number;
  cpus: number;
  maxMemoryBytes: number;
  maxCpus: number;
}

/**
 * The resources one node runs with: what the lesson asks for it (front matter `resources`), never
 * more than the admin's ceiling (NODE_MEMORY_MAX, NODE_CPUS_MAX; never below the defaults), and the
 * defaults (NODE_MEMORY, NODE_CPUS) when it asks for nothing. `clamped`: the lesson asked for more.
 */
export function nodeResources(
  request: TLessonNodeResources | undefined,
  limits: NodeResourceLimits,
): { memoryBytes: number; cpus: number; clamped: boolean } {
  const maxMemory = Math.max(limits.maxMemoryBytes, limits.memoryBytes);
  const maxCpus = Math.max(limits.maxCpus, limits.cpus);
  const askedMemory = request?.memory === undefined ? limits.memoryBytes : memoryBytes(request.memory);
  const askedCpus = request?.cpus ?? limits.cpus;
  return {
    memoryBytes: Math.min(Math.max(askedMemory, MIN_NODE_MEMORY), maxMemory),
    cpus: Math.min(askedCpus, maxCpus),
    clamped: askedMemory > maxMemory || askedCpus > maxCpus,
  };
}
