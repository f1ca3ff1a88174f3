import path from "node:path";
import type Token from "markdown-it/lib/token.mjs";
import { assertNoHiddenCharacter } from "./hidden-characters";
import { annotationAction, ANNOTATION, type KillercodaNote } from "./killercoda-markdown";
import type { StepBuilder } from "./lesson-step";
import type { RenderMeta } from "./lesson-markdown";

type TokenConstructor = new (type: string, tag: string, nesting: 0) => Token;

interface InlineCommand {
  code: Token;
  text: Token;
  annotation: string;
}

// code_inline tokens directly followed by a {{exec}} / {{copy}} annotation.
function inlineCommands(inline: Token): InlineCommand[] {
  const children = inline.children ?? [];
  const found: InlineCommand[] = [];
  for (let i = 0; i + 1 < children.length; i++) {
    const code = children[i]!;
    const text = children[i + 1]!;
    const annotation = text.type === "text" ? ANNOTATION.exec(text.content)?.[0] : undefined;
    if (code.type === "code_inline" && annotation) found.push({ code, text, annotation });
  }
  return found;
}

// A paragraph made only of `cmd`{{exec}} lines: each becomes a block of its own.
function onlyCommands(inline: Token, commands: InlineCommand[]): boolean {
  const parts = new Set(commands.flatMap((c) => [c.code, c.text]));
  return (inline.children ?? []).every(
    (child) =>
      child.type === "softbreak" ||
      child.type === "hardbreak" ||
      (parts.has(child) && (child.type !== "text" || !child.content.replace(ANNOTATION, "").trim())) ||
      (child.type === "text" && !child.content.trim()),
  );
}

function fenceInfo(annotation: string, note: (message: string) => void): string {
  const action = annotationAction(annotation);
  if ("unknown" in action) {
    note(`unknown annotation ${annotation}: the command is shown to copy`);
    return "bash";
  }
  return action.mode === "copy" ? "bash" : `bash node1${action.interrupt ? " interrupt" : ""}`;
}

/**
 * Killercoda's inline `cmd`{{exec}}: a paragraph of nothing but such commands becomes run blocks
 * (one per command, like a fenced block); inside a sentence the code span itself becomes a block
 * (rendered as a span with data-block-id). Returns the new token list.
 */
export function inlineCommandsToBlocks(
  tokens: Token[],
  builder: StepBuilder,
  file: string,
  notes: KillercodaNote[],
): Token[] {
  const result: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const line = token.map?.[0] ?? 0;
    const note = (message: string): number => notes.push({ line, message });
    const inline = tokens[i + 1];
    const commands = token.type === "paragraph_open" && inline?.type === "inline" ? inlineCommands(inline) : [];
    if (commands.length && inline && onlyCommands(inline, commands) && tokens[i + 2]?.type === "paragraph_close") {
      const Fence = token.constructor as TokenConstructor;
      for (const command of commands) {
        const fence = new Fence("fence", "code", 0);
        fence.info = fenceInfo(command.annotation, note);
        fence.content = `${command.code.content}\n`;
        fence.markup = "```";
        fence.map = token.map;
        fence.block = true;
        result.push(fence);
      }
      i += 2;
      continue;
    }
    if (token.type === "inline") {
      for (const command of inlineCommands(token)) {
        const [, node = null, interrupt] = /^bash(?: (node1)( interrupt)?)?$/.exec(
          fenceInfo(command.annotation, note),
        )!;
        assertNoHiddenCharacter(command.code.content, file, line + 1);
        const id = builder.addBlock({
          language: "bash",
          node,
          mode: node ? "run" : "copy",
          command: command.code.content,
          ...(interrupt ? { interrupt: true } : {}),
        });
        command.code.meta = { kind: "block", id } satisfies RenderMeta;
        command.text.content = command.text.content.slice(command.annotation.length);
      }
    }
    result.push(token);
  }
  return result;
}

/**
 * Killercoda resolves image paths from the markdown file's folder; Kubelab serves them from the
 * scenario folder. Images outside it (or on other sites) are shown as their alt text.
 */
export function rewriteImages(tokens: Token[], textFile: string, notes: KillercodaNote[]): void {
  for (const token of tokens) {
    for (const child of token.type === "inline" ? (token.children ?? []) : []) {
      if (child.type !== "image") continue;
      const src = child.attrGet("src") ?? "";
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(textFile), src));
      if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith("/") || resolved.startsWith("../")) {
        notes.push({
          line: token.map?.[0] ?? 0,
          message: `image "${src}" is outside the scenario folder: shown as its alt text`,
        });
        child.type = "text";
        child.children = null;
      } else {
        child.attrSet("src", resolved);
      }
    }
  }
}

/** Removes {{exec}}-like annotations (intro and finish have no run blocks); returns how many. */
export function stripAnnotations(text: string): { text: string; count: number } {
  let count = 0;
  const stripped = text.replace(/(`)\{\{\s*(exec|execute|copy)[^}]*\}\}/g, (_, tick: string) => {
    count++;
    return tick;
  });
  return { text: stripped, count };
}
