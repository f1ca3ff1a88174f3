import fs from "node:fs";
import path from "node:path";
import { ZLessonDifficulty, type TLesson, type TLessonStep } from "@kubelab/shared";
import type Token from "markdown-it/lib/token.mjs";
import { z } from "zod";
import { translateKillercodaMarkdown, type KillercodaNote } from "./killercoda-markdown";
import { inlineCommandsToBlocks, rewriteImages, stripAnnotations } from "./killercoda-tokens";
import { LessonError } from "./lesson-error";
import { renderFragment } from "./lesson-fragment";
import { markdown } from "./lesson-markdown";
import { emptySecrets, type LessonSecrets } from "./lesson-secrets";
import { addStepSecrets, StepBuilder } from "./lesson-step";
import { findVariableProblems } from "./lesson-variables";

/** The file that makes a folder under LESSONS_DIR a Killercoda scenario. */
export const KILLERCODA_INDEX = "index.json";
/** Killercoda's verify scripts become checks with this time limit. */
const VERIFY_TIMEOUT_SECONDS = 15;

const ZPage = z.looseObject({
  title: z.string().optional(),
  text: z.string().optional(),
  background: z.string().optional(),
  foreground: z.string().optional(),
  verify: z.string().optional(),
});
const ZIndex = z.looseObject({
  title: z.string().trim().min(1),
  description: z.string().optional(),
  difficulty: z.string().optional(),
  time: z.union([z.string(), z.number()]).optional(),
  details: z.looseObject({
    intro: ZPage.optional(),
    steps: z.array(ZPage).min(1),
    finish: ZPage.optional(),
    assets: z.unknown().optional(),
  }),
  backend: z.looseObject({ imageid: z.string().optional() }).optional(),
});
type KillercodaPage = z.infer<typeof ZPage>;

// Keys Kubelab reads; anything else in index.json is reported as not mapped.
const KNOWN_KEYS = new Set(["title", "description", "difficulty", "time", "details", "backend"]);
const IGNORED_QUIETLY = new Set(["icon", "pathwayTitle", "private"]);
const KNOWN_PAGE_KEYS = {
  intro: ["title", "text", "background", "foreground"],
  step: ["title", "text", "verify", "background", "foreground"],
  finish: ["title", "text"],
};

export interface LoadedScenario {
  lesson: Omit<TLesson, "languages">;
  secrets: LessonSecrets;
  warnings: LessonError[];
}

export interface ScenarioOptions {
  /** The lesson id: the folder's name. */
  id: string;
  /** How files are named in errors (relative to the working directory). */
  display: (file: string) => string;
  assetBaseUrl: string;
}

function jsonErrorLine(message: string, text: string): number {
  const line = /line (\d+)/.exec(message)?.[1];
  if (line) return Number(line);
  const position = /position (\d+)/.exec(message)?.[1];
  return position ? text.slice(0, Number(position)).split("\n").length : 1;
}

function nodesFor(imageid: string | undefined, warn: (message: string) => void): string[] {
  if (imageid === "kubernetes-kubeadm-2nodes") {
    warn(
      `backend.imageid "${imageid}": controlplane is node1 and node01 is node2; Kubelab nodes start without a cluster unless the node image or a background script sets one up`,
    );
    return ["node1", "node2"];
  }
  if (imageid?.startsWith("kubernetes-")) {
    warn(
      `backend.imageid "${imageid}": one node (node1), started without a Kubernetes cluster unless the node image or a background script sets one up`,
    );
  } else if (imageid !== undefined && !/^ubuntu/.test(imageid)) {
    warn(`backend.imageid "${imageid}" is not known: the scenario gets one node (node1) with the default node image`);
  }
  return ["node1"];
}

/** Loads a Killercoda scenario folder (index.json, markdown, scripts) as a Kubelab lesson in English. */
export function loadKillercodaScenario(folder: string, options: ScenarioOptions): LoadedScenario {
  const indexFile = options.display(path.join(folder, KILLERCODA_INDEX));
  const source = fs.readFileSync(path.join(folder, KILLERCODA_INDEX), "utf8");
  const warnings: LessonError[] = [];
  const warn = (message: string, file = indexFile, line = 1): number =>
    warnings.push(new LessonError(file, line, message));
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LessonError(indexFile, jsonErrorLine(message, source), `index.json is not valid JSON: ${message}`);
  }
  const parsed = ZIndex.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LessonError(indexFile, 1, `index.json: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const index = parsed.data;
  for (const key of Object.keys(index)) {
    if (!KNOWN_KEYS.has(key) && !IGNORED_QUIETLY.has(key)) warn(`"${key}" is not supported by Kubelab and is ignored`);
  }
  if (index.details.assets !== undefined) {
    warn("details.assets are not uploaded to the nodes: copy files in a background script or a step instead");
  }
  const nodes = nodesFor(index.backend?.imageid, warn);
  const nodeSet = new Set(nodes);
  const secrets = emptySecrets();

  const readFile = (
    relative: string | undefined,
    where: string,
  ): { text: string; file: string; relative: string } | null => {
    if (relative === undefined) return null;
    const resolved = path.resolve(folder, relative);
    if (path.isAbsolute(relative) || !resolved.startsWith(folder + path.sep)) {
      throw new LessonError(indexFile, 1, `${where}: "${relative}" must be a path inside the scenario folder`);
    }
    if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) {
      throw new LessonError(indexFile, 1, `${where}: no file "${relative}"`);
    }
    return {
      text: fs.readFileSync(resolved, "utf8"),
      file: options.display(resolved),
      relative: path.relative(folder, resolved).split(path.sep).join("/"),
    };
  };
  const script = (relative: string | undefined, where: string): string | null => {
    const read = readFile(relative, where);
    return read ? read.text.replace(/\n+$/, "") : null;
  };
  const reportNotes = (file: string, notes: KillercodaNote[]): void => {
    for (const note of notes) warn(note.message, file, note.line + 1);
  };
  const checkUnknownPageKeys = (page: KillercodaPage, kind: keyof typeof KNOWN_PAGE_KEYS, where: string): void => {
    for (const key of Object.keys(page)) {
      if (!KNOWN_PAGE_KEYS[kind].includes(key)) warn(`${where}.${key} is not supported by Kubelab and is ignored`);
    }
  };
  const translate = (read: { text: string; file: string }): string => {
    const translated = translateKillercodaMarkdown(read.text, nodes);
    reportNotes(read.file, translated.notes);
    const variable = findVariableProblems(translated.text, nodeSet)[0];
    if (variable) throw new LessonError(read.file, variable.line + 1, variable.message);
    return translated.text;
  };
  // Intro and finish are pages without terminals actions: their commands are shown, not run.
  const renderPage = (page: KillercodaPage | undefined, where: string): string => {
    const read = readFile(page?.text, `${where}.text`);
    if (!read) return "";
    const { text, count } = stripAnnotations(translate(read));
    const context = { file: read.file, nodes: nodeSet, assetBaseUrl: options.assetBaseUrl };
    return renderFragment(text, context, 1, (tokens: Token[]) => {
      const notes: KillercodaNote[] = [];
      rewriteImages(tokens, read.relative, notes);
      const runnable = count + tokens.filter((t) => t.type === "fence" && /\bnode1\b/.test(t.info)).length;
      if (runnable)
        notes.push({
          line: 0,
          message: `the ${where}'s ${runnable} command(s) are shown to copy: only steps have run buttons`,
        });
      reportNotes(read.file, notes);
    }).html;
  };

  if (index.details.intro) checkUnknownPageKeys(index.details.intro, "intro", "details.intro");
  if (index.details.finish) {
    checkUnknownPageKeys(index.details.finish, "finish", "details.finish");
    for (const key of ["background", "foreground"] as const) {
      if (index.details.finish[key])
        warn(`details.finish.${key} is not run: Kubelab has no script for the finish page`);
    }
  }
  const introHtml = renderPage(index.details.intro, "intro");
  const finishHtml = renderPage(index.details.finish, "finish");
  const setup = script(index.details.intro?.background, "details.intro.background");
  if (setup) secrets.setup.push({ node: "node1", script: setup });
  const introForeground = script(index.details.intro?.foreground, "details.intro.foreground");

  const steps: TLessonStep[] = index.details.steps.map((page, stepIndex) => {
    const where = `details.steps[${stepIndex}]`;
    checkUnknownPageKeys(page, "step", where);
    const read = readFile(page.text, `${where}.text`);
    const context = {
      file: read?.file ?? indexFile,
      nodes: nodeSet,
      assetBaseUrl: options.assetBaseUrl,
      index: stepIndex,
      allowInterrupt: true,
    };
    const builder = new StepBuilder(context);
    if (read) {
      const notes: KillercodaNote[] = [];
      const parsedTokens = markdown.parse(translate(read), {});
      rewriteImages(parsedTokens, read.relative, notes);
      for (const token of inlineCommandsToBlocks(parsedTokens, builder, read.file, notes)) {
        builder.add(token, (token.map?.[0] ?? 0) + 1);
      }
      reportNotes(read.file, notes);
    }
    const foreground = [stepIndex === 0 ? introForeground : null, script(page.foreground, `${where}.foreground`)]
      .filter((s): s is string => !!s)
      .join("\n");
    if (foreground) builder.foreground = { node: "node1", command: foreground };
    const background = script(page.background, `${where}.background`);
    if (background) secrets.stepBackground[stepIndex] = { node: "node1", script: background };
    const verify = script(page.verify, `${where}.verify`);
    let checkHtml = "";
    if (verify !== null) {
      if (!verify.trim()) throw new LessonError(indexFile, 1, `${where}.verify: the script is empty`);
      const id = builder.addCheck({ node: "node1", timeoutSeconds: VERIFY_TIMEOUT_SECONDS, auto: false }, verify);
      checkHtml = `<div class="lesson-check" data-check-id="${id}"></div>\n`;
    }
    const built = builder.build(page.title?.trim() || `Step ${stepIndex + 1}`, checkHtml);
    addStepSecrets(secrets, stepIndex, built.secrets);
    return built.step;
  });

  const difficulty = ZLessonDifficulty.safeParse(index.difficulty?.trim().toLowerCase());
  if (index.difficulty !== undefined && !difficulty.success) {
    warn(`difficulty "${index.difficulty}" is not beginner, intermediate or advanced: shown as beginner`);
  }
  const minutes = Number(/\d+/.exec(String(index.time ?? ""))?.[0] ?? NaN);
  if (index.time !== undefined && !(minutes >= 1))
    warn(`time "${index.time}" has no number of minutes: estimated from the steps`);
  const lesson: Omit<TLesson, "languages"> = {
    id: options.id,
    lang: "en",
    title: index.title.trim(),
    description: index.description?.trim() || index.title.trim(),
    durationMinutes: minutes >= 1 ? Math.min(minutes, 24 * 60) : Math.max(5, 5 * steps.length),
    difficulty: difficulty.success ? difficulty.data : "beginner",
    nodes,
    image: null,
    tags: ["killercoda"],
    introHtml,
    finishHtml,
    gated: true,
    resources: {},
    format: "killercoda",
    steps,
  };
  return { lesson, secrets, warnings };
}
