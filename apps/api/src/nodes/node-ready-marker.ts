import { StringDecoder } from "node:string_decoder";

/**
 * The line a Kubelab node image prints on its output once its inner Docker engine answers
 * (`kubelab_announce_ready` in infra/images/common/node-prepare.sh; keep the two in step).
 * Kubelab follows the node's output from before its start, so it learns of readiness the moment
 * the node does, instead of polling it with `docker exec … docker info`.
 */
export const NODE_READY_MARKER = "kubelab-node-ready";

/** Image label of the images that print the marker; nodes of other images are polled with exec. */
export const LABEL_READY_MARKER = "kubelab.ready-marker";
export const READY_MARKER_VERSION = "1";

// Only a line's start decides whether it is the marker, so a line without an end (a program
// printing without newlines) costs at most this much memory.
const MAX_PARTIAL_LINE = 4096;
const TAIL_LINES = 3;
const TAIL_LINE_LENGTH = 300;

/** Whether an image's labels say that its nodes announce readiness with the marker. */
export function announcesReady(labels: Record<string, string> | undefined): boolean {
  return labels?.[LABEL_READY_MARKER] === READY_MARKER_VERSION;
}

/**
 * Finds the marker in a node's output as it arrives, in chunks that may split lines (and UTF-8
 * characters) anywhere. Keeps the last few lines, to say what a node printed before it stopped.
 */
export class ReadyMarkerScanner {
  readonly #decoder = new StringDecoder("utf8");
  #partial = "";
  #seen = false;
  readonly #tail: string[] = [];

  /** Takes the next chunk of output; true once the marker line has been seen (and from then on). */
  push(chunk: Buffer | string): boolean {
    if (this.#seen) return true;
    const text = typeof chunk === "string" ? chunk : this.#decoder.write(chunk);
    const lines = (this.#partial + text).split("\n");
    this.#partial = (lines.pop() ?? "").slice(0, MAX_PARTIAL_LINE);
    for (const raw of lines) {
      const line = raw.replace(/\r$/, "");
      if (line === NODE_READY_MARKER || line.startsWith(`${NODE_READY_MARKER} `)) {
        this.#seen = true;
        return true;
      }
      if (line.trim()) this.#remember(line);
    }
    return false;
  }

  get seen(): boolean {
    return this.#seen;
  }

  /** The last lines printed (the unfinished one included), joined by " | "; "" when nothing was. */
  tail(): string {
    const partial = this.#partial.trim() ? [this.#partial.slice(0, TAIL_LINE_LENGTH)] : [];
    return [...this.#tail, ...partial].slice(-TAIL_LINES).join(" | ");
  }

  #remember(line: string): void {
    this.#tail.push(line.slice(0, TAIL_LINE_LENGTH));
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
  }
}
