/** An engine's load and capacity, as placement weighs them. */
export interface EngineLoad {
  name: string;
  /** Live sessions on it, and the node memory they were given. */
  sessions: number;
  memoryBytes: number;
  /** Its capacity (DOCKER_ENGINES sessions= and memory=); null: no limit. */
  maxSessions: number | null;
  maxMemoryBytes: number | null;
  /**
   * The memory its engine reports: weighs engines without memory= against each other, never
   * refuses (node memory limits are overcommitted on purpose: an idle node uses a fraction of its limit).
   */
  hostMemoryBytes: number | null;
}

/**
 * The engine with the most free capacity for a session needing `memoryBytes` of node memory, or
 * undefined when none has room (only sessions= and memory= refuse). Free capacity is the smaller of
 * the free shares of sessions and memory (the host's reported memory when memory= is not given), so
 * a big host is preferred until it is as full as a small one; a tie goes to the engine with fewer
 * sessions, then to the first listed.
 */
export function pickEngine(loads: readonly EngineLoad[], memoryBytes: number): string | undefined {
  let best: { name: string; free: number; sessions: number } | undefined;
  for (const load of loads) {
    if (load.maxSessions !== null && load.sessions + 1 > load.maxSessions) continue;
    if (load.maxMemoryBytes !== null && load.memoryBytes + memoryBytes > load.maxMemoryBytes) continue;
    const memory = load.maxMemoryBytes ?? load.hostMemoryBytes;
    const shares = [
      load.maxSessions === null ? 1 : 1 - load.sessions / load.maxSessions,
      memory === null ? 1 : 1 - load.memoryBytes / memory,
    ];
    const free = Math.min(...shares);
    if (!best || free > best.free || (free === best.free && load.sessions < best.sessions)) {
      best = { name: load.name, free, sessions: load.sessions };
    }
  }
  return best?.name;
}
