import { setTimeout as sleep } from "node:timers/promises";
import type { DockerEngine } from "./docker-engine.adapter";

const POLL_INTERVAL_MS = 250;

/** Why a node never became ready: its deadline passed, or the node stopped while starting. */
export class NodeNotReady extends Error {
  constructor(
    readonly kind: "timeout" | "stopped",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Resolves once the Docker engine inside the node answers `docker info`
 * ("ready" means the attendee's first `docker run` works). Rejects with the
 * last answer when the deadline passes, the node stops, or the signal aborts.
 */
export async function waitForInnerDocker(
  engine: DockerEngine,
  containerId: string,
  node: string,
  deadline: number,
  signal: AbortSignal,
): Promise<void> {
  let lastOutput = "";
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    if (!(await engine.isRunning(containerId))) {
      throw new NodeNotReady("stopped", `${node} stopped while starting${lastOutput ? `: ${lastOutput}` : ""}`);
    }
    try {
      // The check may take the rest of the deadline: on a loaded host (a classroom starting all at
      // once) one `docker info` can take 10-20 s, and cutting it short only starts it over.
      const remaining = Math.max(1_000, deadline - Date.now());
      const { exitCode, output } = await engine.exec(
        containerId,
        ["docker", "info", "--format", "{{.ServerVersion}}"],
        remaining,
        signal,
      );
      if (exitCode === 0) return;
      lastOutput = output.trim().split("\n").pop() ?? "";
    } catch (error) {
      signal.throwIfAborted();
      lastOutput = (error as Error).message;
    }
    await sleep(POLL_INTERVAL_MS, undefined, { signal });
  }
  throw new NodeNotReady(
    "timeout",
    `the Docker engine in ${node} did not start in time${lastOutput ? ` (last answer: ${lastOutput})` : ""}`,
  );
}
