import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { DockerEngine } from "./docker-engine.adapter";
import { ReadyMarkerScanner } from "./node-ready-marker";

const POLL_INTERVAL_MS = 250;
// A node of an image that carries the marker label but whose entrypoint never prints the marker
// (an image built FROM ours with its own entrypoint) is polled with exec after this long, so it
// becomes ready late instead of never. Long enough that a node merely starting slowly on a busy
// host (a classroom starting at once) is not polled on top: each exec costs the host CPU.
export const MARKER_GRACE_MS = 30_000;

/** How Kubelab learnt that a node is ready: its ready marker, or a `docker info` run by exec. */
export type ReadySource = "marker" | "exec";

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

/**
 * Resolves once the node is ready. With the node's output (images that print the ready marker)
 * it waits for the marker line; otherwise, when the output ends while the node still runs (the
 * attach broke), or when no marker came within MARKER_GRACE_MS, it polls with exec as
 * waitForInnerDocker does. Rejects like waitForInnerDocker: NodeNotReady "timeout" at the
 * deadline, "stopped" when the node stops (said at once, with the node's last output lines), or
 * the signal's reason. Destroys the output when it settles.
 */
export async function waitForNodeReady(
  engine: DockerEngine,
  node: { containerId: string; name: string; output?: Readable },
  deadline: number,
  signal: AbortSignal,
): Promise<ReadySource> {
  const { containerId, name, output } = node;
  if (!output) {
    await waitForInnerDocker(engine, containerId, name, deadline, signal);
    return "exec";
  }
  // Settling one way stops the others: the losing branches see `local` abort and end quietly.
  const settled = new AbortController();
  const local = AbortSignal.any([signal, settled.signal]);
  const scanner = new ReadyMarkerScanner();
  // Started at most once, whichever of the two reasons to poll comes first.
  let polling: Promise<ReadySource> | undefined;
  const poll = (): Promise<ReadySource> =>
    (polling ??= waitForInnerDocker(engine, containerId, name, deadline, local).then(() => "exec"));
  const byMarker = async (): Promise<ReadySource> => {
    if (await markerSeen(output, scanner, local)) return "marker";
    if (!(await engine.isRunning(containerId))) {
      const tail = scanner.tail();
      throw new NodeNotReady("stopped", `${name} stopped while starting${tail ? `: ${tail}` : ""}`);
    }
    return poll();
  };
  const late = async (): Promise<ReadySource> => {
    await sleep(Math.min(MARKER_GRACE_MS, Math.max(0, deadline - Date.now())), undefined, { signal: local });
    return Date.now() < deadline ? poll() : Promise.reject(timedOut(name, scanner));
  };
  try {
    return await Promise.race([byMarker(), late()]);
  } catch (error) {
    // The exec poll's own timeout says nothing of the node's output; the marker side knows more.
    if (error instanceof NodeNotReady && error.kind === "timeout" && scanner.tail()) throw timedOut(name, scanner);
    throw error;
  } finally {
    settled.abort();
    output.destroy();
  }
}

function timedOut(node: string, scanner: ReadyMarkerScanner): NodeNotReady {
  const tail = scanner.tail();
  return new NodeNotReady(
    "timeout",
    `the Docker engine in ${node} did not start in time${tail ? ` (last output: ${tail})` : ""}`,
  );
}

/** Feeds the output to the scanner until the marker (true) or the output's end (false). */
function markerSeen(output: Readable, scanner: ReadyMarkerScanner, signal: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      output.off("data", onData);
      output.off("end", onEnd);
      output.off("close", onEnd);
      output.off("error", onEnd);
      signal.removeEventListener("abort", onAbort);
      settle();
    };
    const onData = (chunk: Buffer): void => {
      if (scanner.push(chunk)) finish(() => resolve(true));
    };
    // A broken stream is an end too: whether the node still runs decides what it means.
    const onEnd = (): void => finish(() => resolve(false));
    const onAbort = (): void => finish(() => reject(signal.reason as Error));
    if (signal.aborted) return onAbort();
    output.on("data", onData);
    output.once("end", onEnd);
    output.once("close", onEnd);
    output.once("error", onEnd);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
