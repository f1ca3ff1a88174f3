import type { TLesson, TLessonBlock, TLessonPortLink, TLessonStep } from "@kubelab/shared";
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import { splitFrontMatter } from "./front-matter";
import { findHiddenCharacter } from "./hidden-characters";
import { LessonError } from "./lesson-error";

export interface ParseOptions {
  id: string;
  lang: string;
  /** Shown in errors, e.g. content/lessons/demo/es.md. */
  file: string;
  /** URL prefix under which the lesson's assets are served. */
  assetBaseUrl: string;
}

const PORT_LINK = /^port:(node[1-9]):(\d{1,5})(\/[^\s]*)?$/;
const SAFE_SCHEMES = /^(https?:|mailto:)/i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

// Raw HTML is escaped, never rendered; links are checked by parseLesson itself
// (so a bad link is an error with a line number, not silently dropped).
function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.validateLink = () => true;
  md.renderer.rules.fence = (tokens, idx) => {
    const token = tokens[idx]!;
    const blockId = token.meta as string;
    const language = token.info.trim().split(/\s+/)[0] ?? "";
    const code = md.utils.escapeHtml(token.content.replace(/\n$/, ""));
    const languageClass = language ? ` class="language-${md.utils.escapeHtml(language)}"` : "";
    return `<div class="lesson-block" data-block-id="${blockId}"><pre><code${languageClass}>${code}</code></pre></div>\n`;
  };
  return md;
}

const markdown = createMarkdown();

/** Parses one lesson file into metadata, steps, runnable blocks and sanitized HTML. */
export function parseLesson(source: string, options: ParseOptions): Omit<TLesson, "languages"> {
  const { file } = options;
  const { frontMatter, body, bodyLineOffset } = splitFrontMatter(source, file);
  const tokens = markdown.parse(body, {});
  const lineOf = (token: Token | undefined): number => (token?.map?.[0] ?? 0) + bodyLineOffset + 1;
  const nodes = new Set(frontMatter.nodes);

  const steps: TLessonStep[] = [];
  const introTokens: Token[] = [];
  let current: { title: string; tokens: Token[]; blocks: TLessonBlock[]; portLinks: TLessonPortLink[] } | undefined;
  const finishStep = (): void => {
    if (!current) return;
    steps.push({
      index: steps.length,
      title: current.title,
      html: markdown.renderer.render(current.tokens, markdown.options, {}),
      blocks: current.blocks,
      portLinks: current.portLinks,
      checks: [],
      quizzes: [],
      downloadLinks: [],
      solutionHtml: null,
      foreground: null,
    });
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === "heading_open" && token.tag === "h1") {
      throw new LessonError(
        file,
        lineOf(token),
        "level-1 headings are not allowed: the title comes from the front matter",
      );
    }
    if (token.type === "heading_open" && token.tag === "h2") {
      finishStep();
      // Plain text of the heading (inline code without its backticks).
      const title = (tokens[i + 1]?.children ?? [])
        .map((child) => child.content)
        .join("")
        .trim();
      if (!title) throw new LessonError(file, lineOf(token), "a step heading must have a title");
      current = { title, tokens: [], blocks: [], portLinks: [] };
      i += 2; // heading_open, inline, heading_close: the title is kept as data, not in the step's HTML
      continue;
    }
    if (token.type === "fence") {
      if (!current) throw new LessonError(file, lineOf(token), "code blocks belong in a step (after a ## heading)");
      const block = parseFence(token, `s${steps.length}-b${current.blocks.length}`, nodes, file, lineOf(token));
      token.meta = block.id;
      current.blocks.push(block);
    }
    if (token.type === "inline") {
      const portLinks = checkInline(token, options, nodes, lineOf(token));
      if (portLinks.length && !current) throw new LessonError(file, lineOf(token), "port links belong in a step");
      current?.portLinks.push(...portLinks);
    }
    (current ? current.tokens : introTokens).push(token);
  }
  finishStep();
  if (steps.length === 0)
    throw new LessonError(file, bodyLineOffset + 1, "a lesson needs at least one step (a ## heading)");

  return {
    id: options.id,
    lang: options.lang,
    title: frontMatter.title,
    description: frontMatter.description,
    durationMinutes: frontMatter.duration,
    difficulty: frontMatter.difficulty,
    nodes: frontMatter.nodes,
    image: frontMatter.image ?? null,
    tags: frontMatter.tags,
    introHtml: markdown.renderer.render(introTokens, markdown.options, {}),
    finishHtml: "",
    gated: frontMatter.gated,
    resources: frontMatter.resources,
    format: "kubelab",
    steps,
  };
}

function parseFence(token: Token, id: string, nodes: Set<string>, file: string, line: number): TLessonBlock {
  const [language = "", ...words] = token.info.trim().split(/\s+/).filter(Boolean);
  let node: string | null = null;
  let edit = false;
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
    } else {
      throw new LessonError(
        file,
        line,
        `unknown word "${word}" in the code block's info string (expected a node name or "edit")`,
      );
    }
  }
  if (edit && !node) throw new LessonError(file, line, `"edit" needs a target node (e.g. \`\`\`bash node2 edit)`);
  const command = token.content.replace(/\n$/, "");
  // Every block, copy-only too: its text ends up pasted into a terminal just the same.
  const hidden = findHiddenCharacter(command);
  if (hidden) {
    throw new LessonError(
      file,
      line + 1 + hidden.line,
      `code block contains ${hidden.codePoint}, a ${hidden.kind} that would run without showing on the page`,
    );
  }
  if (node && !command.trim()) throw new LessonError(file, line, "a runnable code block must not be empty");
  return { id, language, node: node, mode: node ? (edit ? "edit" : "run") : "copy", command };
}

/** Validates links and images of one inline token, rewrites port links and asset paths, returns the port links. */
function checkInline(token: Token, options: ParseOptions, nodes: Set<string>, line: number): TLessonPortLink[] {
  const portLinks: TLessonPortLink[] = [];
  const children = token.children ?? [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    if (child.type === "link_open") {
      const href = child.attrGet("href") ?? "";
      const port = PORT_LINK.exec(href);
      if (href.startsWith("port:")) {
        if (!port)
          throw new LessonError(options.file, line, `bad port link "${href}" (expected port:<node>:<port>[/path])`);
        const [, node, portText, path] = port as unknown as [string, string, string, string | undefined];
        const portNumber = Number(portText);
        if (!nodes.has(node))
          throw new LessonError(
            options.file,
            line,
            `port link targets ${node}, which is not one of the lesson's nodes`,
          );
        if (portNumber < 1 || portNumber > 65535)
          throw new LessonError(options.file, line, `port ${portText} is out of range`);
        let text = "";
        for (let j = i + 1; j < children.length && children[j]!.type !== "link_close"; j++)
          text += children[j]!.content;
        portLinks.push({ node: node, port: portNumber, path: path ?? "/", text });
        // The web app turns these into proxy URLs for the attendee's own session.
        child.attrSet("href", `#port-${node}-${portNumber}`);
        child.attrSet("data-port-node", node);
        child.attrSet("data-port", String(portNumber));
        child.attrSet("data-port-path", path ?? "/");
      } else if (ANY_SCHEME.test(href) && !SAFE_SCHEMES.test(href)) {
        throw new LessonError(
          options.file,
          line,
          `link "${href}" uses a forbidden scheme (allowed: http, https, mailto, port)`,
        );
      } else if (href.startsWith("//")) {
        throw new LessonError(options.file, line, `protocol-relative link "${href}" is not allowed; write https://`);
      }
    }
    if (child.type === "image") {
      const src = child.attrGet("src") ?? "";
      if (ANY_SCHEME.test(src) || src.startsWith("/") || src.split("/").includes("..")) {
        throw new LessonError(options.file, line, `image "${src}" must be a relative path inside the lesson folder`);
      }
      child.attrSet("src", `${options.assetBaseUrl}/${src.replace(/^\.\//, "")}`);
    }
  }
  return portLinks;
}
