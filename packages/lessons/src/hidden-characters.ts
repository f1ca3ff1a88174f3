import { LessonError } from "./lesson-error";

/** A character in a code block that does not show as itself on the page. */
export interface HiddenCharacter {
  /** 0-based line within the text. */
  line: number;
  /** e.g. "U+202E". */
  codePoint: string;
  kind: "control character" | "bidirectional control" | "zero-width character";
}

function kindOf(code: number): HiddenCharacter["kind"] | undefined {
  // Tab and newline are the only controls a command legitimately contains.
  if (code === 0x09 || code === 0x0a) return undefined;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return "control character";
  if (
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x061c
  ) {
    return "bidirectional control";
  }
  if ((code >= 0x200b && code <= 0x200d) || code === 0x2060 || code === 0xfeff) return "zero-width character";
  return undefined;
}

/**
 * The first character that would make a block run something other than what
 * the page shows: controls (a terminal acts on them), BiDi controls (they
 * reorder what is displayed, not what is typed) and zero-width characters.
 */
export function findHiddenCharacter(text: string): HiddenCharacter | undefined {
  let line = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const kind = kindOf(code);
    if (kind) return { line, kind, codePoint: `U+${code.toString(16).toUpperCase().padStart(4, "0")}` };
    if (char === "\n") line++;
  }
  return undefined;
}

/** Throws for the first hidden character of a code text whose first line is `firstLine` of `file`. */
export function assertNoHiddenCharacter(text: string, file: string, firstLine: number, what = "code block"): void {
  const hidden = findHiddenCharacter(text);
  if (hidden) {
    throw new LessonError(
      file,
      firstLine + hidden.line,
      `${what} contains ${hidden.codePoint}, a ${hidden.kind} that would run without showing on the page`,
    );
  }
}
