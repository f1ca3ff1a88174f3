import type { TTerminalForeground } from "@kubelab/shared";

/** Ctrl-C, as the terminal sends it. */
export const INTERRUPT = "\u0003";

/** What "Run" does given what runs in the terminal now (null: unknown, e.g. the question failed). */
export type RunDecision = { kind: "type" } | { kind: "interrupt" } | { kind: "ask"; command: string | null };

/**
 * Blocks that press Ctrl-C themselves (Killercoda's {{exec interrupt}}) interrupt without asking;
 * others ask only when something runs in the foreground. When the answer is unknown the block is
 * typed as before: the question must never stand between the attendee and their terminal.
 */
export function runDecision(
  block: { interrupt?: boolean | undefined },
  foreground: TTerminalForeground | null,
): RunDecision {
  if (block.interrupt) return { kind: "interrupt" };
  if (!foreground?.busy) return { kind: "type" };
  return { kind: "ask", command: foreground.command };
}

export interface InterruptOptions {
  /** Types into the terminal; false when it is not connected. */
  send: (text: string) => boolean;
  /** Asks what runs in the foreground now; null when it could not tell. */
  probe: () => Promise<TTerminalForeground | null>;
  wait: (ms: number) => Promise<void>;
  /** Probes after the Ctrl-C before giving up (a program that ignores Ctrl-C: vim, less). */
  attempts?: number;
  intervalMs?: number;
}

/**
 * Ctrl-C, then waits until the shell is back at its prompt. True once it is (or when it cannot be
 * told: then the caller types, as before this check existed); false if the program is still in the
 * foreground after every attempt, or the terminal is gone.
 */
export async function interruptAndWait(options: InterruptOptions): Promise<boolean> {
  const { send, probe, wait, attempts = 10, intervalMs = 300 } = options;
  if (!send(INTERRUPT)) return false;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    await wait(intervalMs);
    const foreground = await probe();
    if (!foreground?.busy) {
      // Let the shell print its prompt before the command arrives.
      await wait(intervalMs);
      return true;
    }
  }
  return false;
}
