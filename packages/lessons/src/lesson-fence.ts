import { LessonError } from "./lesson-error";

/** Seconds a check may run when its block does not say `timeout=N`. */
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 15;
export const MAX_CHECK_TIMEOUT_SECONDS = 300;

/** What a fenced block's info string asks for. */
export type FenceKind =
  | { kind: "block"; language: string; node: string | null; mode: "run" | "edit" | "copy"; interrupt: boolean }
  | { kind: "check"; language: string; node: string; timeoutSeconds: number; auto: boolean }
  | { kind: "hint" | "solution" | "quiz" };

const SPECIAL = new Set(["hint", "solution", "quiz"]);

/**
 * Reads `<language> [node] [edit | check [timeout=N] [auto]]`, or `hint`, `solution`, `quiz`.
 * `interrupt` (Ctrl-C before typing) is only produced by Killercoda's {{exec interrupt}}.
 */
export function parseFenceInfo(
  info: string,
  nodes: ReadonlySet<string>,
  file: string,
  line: number,
  allowInterrupt = false,
): FenceKind {
  const [language = "", ...words] = info.trim().split(/\s+/).filter(Boolean);
  if (SPECIAL.has(language)) {
    if (words.length)
      throw new LessonError(file, line, `a ${language} block takes no other words (found "${words[0]}")`);
    return { kind: language as "hint" | "solution" | "quiz" };
  }
  let node: string | null = null;
  let edit = false;
  let check = false;
  let auto = false;
  let interrupt = false;
  let timeoutSeconds: number | null = null;
  for (const word of words) {
    if (/^node\d+$/.test(word)) {
      if (!nodes.has(word)) {
        throw new LessonError(
          file,
          line,
          `code block targets ${word}, but the lesson's nodes are ${[...nodes].join(", ")}`,
        );
      }
      if (node) throw new LessonError(file, line, "a code block targets one node only");
      node = word;
    } else if (word === "edit") {
      edit = true;
    } else if (word === "check") {
      check = true;
    } else if (word === "auto") {
      auto = true;
    } else if (word === "interrupt" && allowInterrupt) {
      interrupt = true;
    } else if (word.startsWith("timeout=")) {
      const value = word.slice("timeout=".length);
      timeoutSeconds = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
      if (!(timeoutSeconds >= 1 && timeoutSeconds <= MAX_CHECK_TIMEOUT_SECONDS)) {
        throw new LessonError(
          file,
          line,
          `bad timeout "${word}": a check's time limit is whole seconds from 1 to ${MAX_CHECK_TIMEOUT_SECONDS}`,
        );
      }
    } else {
      throw new LessonError(
        file,
        line,
        `unknown word "${word}" in the code block's info string (expected a node name, "edit" or "check")`,
      );
    }
  }
  if (check) {
    if (!node) throw new LessonError(file, line, `a check block needs a target node (e.g. \`\`\`bash node1 check)`);
    if (edit) throw new LessonError(file, line, `a check block cannot be "edit": the server runs it, nobody types it`);
    return { kind: "check", language, node, timeoutSeconds: timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS, auto };
  }
  if (auto || timeoutSeconds !== null) {
    throw new LessonError(
      file,
      line,
      `"${auto ? "auto" : "timeout="}" is only for check blocks (\`\`\`bash node1 check)`,
    );
  }
  if (edit && !node) throw new LessonError(file, line, `"edit" needs a target node (e.g. \`\`\`bash node2 edit)`);
  return {
    kind: "block",
    language,
    node,
    mode: node ? (edit ? "edit" : "run") : "copy",
    interrupt: interrupt && !!node,
  };
}
