import type { Terminal } from "@xterm/xterm";

/**
 * The last lines of the terminal as plain text (wrapped lines joined), for the
 * hidden text mirror that tests and tools read: xterm draws to the DOM in spans
 * per row, which is awkward to read back reliably.
 */
export function terminalBufferText(term: Terminal, maxLines = 200): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  const first = Math.max(0, buffer.length - maxLines);
  for (let y = first; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    const text = line.translateToString(true);
    // A wrapped row continues the previous logical line.
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}
