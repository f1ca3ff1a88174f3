import type Token from "markdown-it/lib/token.mjs";
import { assertNoHiddenCharacter } from "./hidden-characters";
import { checkInline, type InlineLinks, type LinkContext } from "./lesson-links";
import { markdown, renderTokens } from "./lesson-markdown";

export interface RenderedFragment {
  html: string;
  links: InlineLinks;
}

function checkTokens(tokens: Token[], context: LinkContext, firstLine: number): InlineLinks {
  const links: InlineLinks = { portLinks: [], downloadLinks: [] };
  for (const token of tokens) {
    const line = firstLine + (token.map?.[0] ?? 0);
    if (token.type === "inline") {
      const found = checkInline(token, context, line);
      links.portLinks.push(...found.portLinks);
      links.downloadLinks.push(...found.downloadLinks);
    }
    // Code in a hint or a solution is copied into terminals too.
    if (token.type === "fence") assertNoHiddenCharacter(token.content, context.file, line + 1);
    if (token.type === "code_block") assertNoHiddenCharacter(token.content, context.file, line);
  }
  return links;
}

/**
 * Renders a markdown fragment (a hint, a solution, a quiz question, a Killercoda intro) whose first
 * line is line `firstLine` of the file, with the same link checks as a step. Its code blocks are
 * plain code: only a step's own fences become runnable blocks.
 */
export function renderFragment(
  text: string,
  context: LinkContext,
  firstLine: number,
  prepare?: (tokens: Token[]) => void,
): RenderedFragment {
  const tokens = markdown.parse(text, {});
  prepare?.(tokens);
  const links = checkTokens(tokens, context, firstLine);
  return { html: renderTokens(tokens), links };
}

/** Renders one line of inline markdown (a quiz choice) with the link checks. */
export function renderInlineFragment(text: string, context: LinkContext, line: number): string {
  const tokens = markdown.parseInline(text, {});
  checkTokens(tokens, context, line);
  return markdown.renderer.render(tokens, markdown.options, {});
}
