import type { TLessonBlock } from "@kubelab/shared";

/**
 * What a lesson block types into a terminal. The whole block goes in at once
 * (a multi-line block is one paste), with newlines as carriage returns like
 * keystrokes; "run" presses Enter at the end, "edit" leaves the line for the
 * attendee to complete.
 */
export function blockTerminalInput(block: Pick<TLessonBlock, "command" | "mode">): string {
  const typed = block.command.replace(/\r?\n/g, "\r");
  return block.mode === "run" ? `${typed}\r` : typed;
}
