import { LABEL_NODE, LABEL_SESSION } from "./docker-labels";

/**
 * What Docker's event stream says about a node container, in Kubelab's terms. `died`: the
 * container stopped (crash, `docker kill`, its init killed for memory); `oom`: the kernel killed
 * one process inside it for lack of memory (the container may live on).
 */
export type NodeEvent =
  | { kind: "died"; sessionId: string; node: string; exitCode: number | null }
  | { kind: "oom"; sessionId: string; node: string };

/** The Docker event actions `nodeEventOf` understands; the engine is asked for these only. */
export const NODE_EVENT_ACTIONS = ["die", "oom"];

/**
 * Maps one decoded Docker event to a node event; anything else (other actions, containers that
 * are not session nodes, malformed input) gives undefined.
 */
export function nodeEventOf(raw: unknown): NodeEvent | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const event = raw as { Type?: unknown; Action?: unknown; Actor?: { Attributes?: unknown } };
  if (event.Type !== undefined && event.Type !== "container") return undefined;
  const attributes = event.Actor?.Attributes;
  if (typeof attributes !== "object" || attributes === null) return undefined;
  const { [LABEL_SESSION]: sessionId, [LABEL_NODE]: node, exitCode } = attributes as Record<string, unknown>;
  if (typeof sessionId !== "string" || !sessionId || typeof node !== "string" || !node) return undefined;
  switch (event.Action) {
    case "oom":
      return { kind: "oom", sessionId, node };
    case "die":
      return { kind: "died", sessionId, node, exitCode: exitCodeOf(exitCode) };
    default:
      return undefined;
  }
}

// Docker sends attribute values as strings ("137").
function exitCodeOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  return null;
}

/**
 * Decodes Docker's event stream (one JSON object per line, chunks cut anywhere, even inside a
 * UTF-8 character) into node events. A line that is not JSON is skipped rather than ending the
 * watch; an unfinished last line is dropped.
 */
export async function* nodeEventsFrom(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<NodeEvent> {
  const decoder = new TextDecoder("utf-8");
  let buffered = "";
  for await (const chunk of chunks) {
    buffered += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      let decoded: unknown;
      try {
        decoded = JSON.parse(line);
      } catch {
        continue;
      }
      const event = nodeEventOf(decoded);
      if (event) yield event;
    }
  }
}
