import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";

/**
 * What a fence (or, in Killercoda steps, an inline code span) stands for; the step parser puts it
 * in token.meta. Without it a fence renders as plain code (solutions, hints, intro of a scenario).
 */
export type RenderMeta = { kind: "block"; id: string } | { kind: "check"; id: string } | { kind: "quiz"; id: string };

// Raw HTML is escaped, never rendered; links are checked by the parser itself
// (so a bad link is an error with a line number, not silently dropped).
function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.validateLink = () => true;
  const escape = (text: string): string => md.utils.escapeHtml(text);
  md.renderer.rules.fence = (tokens, idx) => {
    const token = tokens[idx]!;
    const meta = token.meta as RenderMeta | null;
    // Checks and quizzes are placeholders: their scripts and answers stay on the server.
    if (meta?.kind === "check") return `<div class="lesson-check" data-check-id="${escape(meta.id)}"></div>\n`;
    if (meta?.kind === "quiz") return `<div class="lesson-quiz" data-quiz-id="${escape(meta.id)}"></div>\n`;
    const language = token.info.trim().split(/\s+/)[0] ?? "";
    const code = escape(token.content.replace(/\n$/, ""));
    const languageClass = language ? ` class="language-${escape(language)}"` : "";
    const pre = `<pre><code${languageClass}>${code}</code></pre>`;
    if (meta?.kind === "block") return `<div class="lesson-block" data-block-id="${escape(meta.id)}">${pre}</div>\n`;
    return `${pre}\n`;
  };
  const codeInline = md.renderer.rules.code_inline!;
  md.renderer.rules.code_inline = (tokens, idx, options, env, self) => {
    const meta = tokens[idx]!.meta as RenderMeta | null;
    const code = codeInline(tokens, idx, options, env, self);
    if (meta?.kind !== "block") return code;
    return `<span class="lesson-block lesson-block-inline" data-block-id="${escape(meta.id)}">${code}</span>`;
  };
  return md;
}

export const markdown = createMarkdown();

export function renderTokens(tokens: Token[]): string {
  return markdown.renderer.render(tokens, markdown.options, {});
}
