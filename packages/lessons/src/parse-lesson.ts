import type { TLesson, TLessonStep } from "@kubelab/shared";
import type Token from "markdown-it/lib/token.mjs";
import { splitFrontMatter } from "./front-matter";
import { LessonError } from "./lesson-error";
import { checkInline } from "./lesson-links";
import { markdown, renderTokens } from "./lesson-markdown";
import { emptySecrets, type LessonSecrets } from "./lesson-secrets";
import { addStepSecrets, StepBuilder } from "./lesson-step";
import { findVariableProblems } from "./lesson-variables";

export interface ParseOptions {
  id: string;
  lang: string;
  /** Shown in errors, e.g. content/lessons/demo/es.md. */
  file: string;
  /** URL prefix under which the lesson's assets are served. */
  assetBaseUrl: string;
}

export interface ParsedLesson {
  lesson: Omit<TLesson, "languages">;
  /** What the server keeps from the browser: check scripts, hints, quiz answers. */
  secrets: LessonSecrets;
}

/** Parses one lesson file into metadata, steps, runnable blocks and sanitized HTML. */
export function parseLesson(source: string, options: ParseOptions): Omit<TLesson, "languages"> {
  return parseLessonWithSecrets(source, options).lesson;
}

/** parseLesson plus the lesson's secrets (check scripts, hints, quiz answers). */
export function parseLessonWithSecrets(source: string, options: ParseOptions): ParsedLesson {
  const { file } = options;
  const { frontMatter, body, bodyLineOffset, keyLine } = splitFrontMatter(source, file);
  const nodes = new Set(frontMatter.nodes);
  for (const node of Object.keys(frontMatter.resources)) {
    if (!nodes.has(node)) {
      throw new LessonError(
        file,
        keyLine("resources"),
        `resources for ${node}, which is not one of the lesson's nodes`,
      );
    }
  }
  const tokens = markdown.parse(body, {});
  const lineOf = (token: Token | undefined): number => (token?.map?.[0] ?? 0) + bodyLineOffset + 1;
  const context = { file, nodes, assetBaseUrl: options.assetBaseUrl };

  const steps: TLessonStep[] = [];
  const secrets = emptySecrets();
  const introTokens: Token[] = [];
  let current: { title: string; builder: StepBuilder } | undefined;
  const finishStep = (): void => {
    if (!current) return;
    const built = current.builder.build(current.title);
    steps.push(built.step);
    addStepSecrets(secrets, built.step.index, built.secrets);
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
      current = { title, builder: new StepBuilder({ ...context, index: steps.length }) };
      i += 2; // heading_open, inline, heading_close: the title is kept as data, not in the step's HTML
      continue;
    }
    if (current) {
      current.builder.add(token, lineOf(token));
      continue;
    }
    if (token.type === "fence") {
      throw new LessonError(
        file,
        lineOf(token),
        "code blocks, checks, hints, solutions and quizzes belong in a step (after a ## heading)",
      );
    }
    if (token.type === "inline") {
      const links = checkInline(token, context, lineOf(token));
      if (links.portLinks.length) throw new LessonError(file, lineOf(token), "port links belong in a step");
      if (links.downloadLinks.length) throw new LessonError(file, lineOf(token), "download links belong in a step");
    }
    introTokens.push(token);
  }
  finishStep();
  if (steps.length === 0)
    throw new LessonError(file, bodyLineOffset + 1, "a lesson needs at least one step (a ## heading)");
  const variable = findVariableProblems(body, nodes)[0];
  if (variable) throw new LessonError(file, bodyLineOffset + 1 + variable.line, variable.message);

  const lesson: Omit<TLesson, "languages"> = {
    id: options.id,
    lang: options.lang,
    title: frontMatter.title,
    description: frontMatter.description,
    durationMinutes: frontMatter.duration,
    difficulty: frontMatter.difficulty,
    nodes: frontMatter.nodes,
    image: frontMatter.image ?? null,
    tags: frontMatter.tags,
    introHtml: renderTokens(introTokens),
    finishHtml: "",
    gated: frontMatter.gated,
    resources: frontMatter.resources,
    format: "kubelab",
    steps,
  };
  return { lesson, secrets };
}
