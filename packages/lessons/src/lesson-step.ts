import type {
  TLessonBlock,
  TLessonCheck,
  TLessonDownloadLink,
  TLessonPortLink,
  TLessonQuiz,
  TLessonStep,
} from "@kubelab/shared";
import type Token from "markdown-it/lib/token.mjs";
import { assertNoHiddenCharacter } from "./hidden-characters";
import { LessonError } from "./lesson-error";
import { parseFenceInfo } from "./lesson-fence";
import { renderFragment, renderInlineFragment } from "./lesson-fragment";
import { checkInline, type LinkContext } from "./lesson-links";
import type { RenderMeta } from "./lesson-markdown";
import { renderTokens } from "./lesson-markdown";
import { parseQuizSource } from "./lesson-quiz";
import type { LessonSecrets } from "./lesson-secrets";
import { usesLessonVariable } from "./lesson-variables";

export interface StepContext extends LinkContext {
  /** 0-based index of the step in the lesson (ids are s<index>-b<n>, -c<n>, -q<n>). */
  index: number;
  /** Killercoda's {{exec interrupt}}: the fence word `interrupt` is accepted. */
  allowInterrupt?: boolean;
}

/** What a step gives the lesson's secrets. */
export interface StepSecrets {
  hintHtml: string | null;
  checks: LessonSecrets["checks"];
  quizzes: LessonSecrets["quizzes"];
}

/**
 * Collects the markdown tokens of one step: runnable blocks, checks, quizzes, the hint and the
 * solution, port and download links. Hints, check scripts and quiz answers go to the secrets only.
 */
export class StepBuilder {
  private readonly tokens: Token[] = [];
  private readonly blocks: TLessonBlock[] = [];
  private readonly portLinks: TLessonPortLink[] = [];
  private readonly downloadLinks: TLessonDownloadLink[] = [];
  private readonly checks: TLessonCheck[] = [];
  private readonly quizzes: TLessonQuiz[] = [];
  private readonly secrets: StepSecrets = { hintHtml: null, checks: {}, quizzes: {} };
  private hintLine = 0;
  private solution: { html: string; line: number } | null = null;
  foreground: TLessonStep["foreground"] = null;

  constructor(readonly context: StepContext) {}

  /** Adds a runnable or copy-only block (also used for Killercoda's inline `cmd`{{exec}}); returns its id. */
  addBlock(block: Omit<TLessonBlock, "id">): string {
    const id = `s${this.context.index}-b${this.blocks.length}`;
    this.blocks.push({ id, ...block });
    return id;
  }

  /** Adds a check the server runs (a check block, or a Killercoda verify script); returns its id. */
  addCheck(check: Omit<TLessonCheck, "id">, script: string): string {
    const id = `s${this.context.index}-c${this.checks.length}`;
    this.checks.push({ id, ...check });
    this.secrets.checks[id] = {
      step: this.context.index,
      node: check.node,
      script,
      timeoutSeconds: check.timeoutSeconds,
    };
    return id;
  }

  /** Adds one markdown token of the step; `line` is its file line. */
  add(token: Token, line: number): void {
    if (token.type === "inline") {
      const links = checkInline(token, this.context, line);
      this.portLinks.push(...links.portLinks);
      this.downloadLinks.push(...links.downloadLinks);
    }
    if (token.type === "fence" && !this.addFence(token, line)) return;
    this.tokens.push(token);
  }

  // Returns false for fences that are not part of the step's HTML (hint, solution).
  private addFence(token: Token, line: number): boolean {
    const { file, nodes } = this.context;
    const fence = parseFenceInfo(token.info, nodes, file, line, this.context.allowInterrupt);
    const content = token.content.replace(/\n$/, "");
    if (fence.kind === "block") {
      // Every block, copy-only too: its text ends up pasted into a terminal just the same.
      assertNoHiddenCharacter(content, file, line + 1);
      if (fence.node && !content.trim()) throw new LessonError(file, line, "a runnable code block must not be empty");
      const block: Omit<TLessonBlock, "id"> = {
        language: fence.language,
        node: fence.node,
        mode: fence.mode,
        command: content,
        ...(fence.interrupt ? { interrupt: true } : {}),
      };
      token.meta = { kind: "block", id: this.addBlock(block) } satisfies RenderMeta;
      return true;
    }
    if (fence.kind === "check") {
      if (!content.trim()) throw new LessonError(file, line, "a check block must not be empty: its script decides");
      assertNoHiddenCharacter(content, file, line + 1, "check block");
      if (usesLessonVariable(content)) {
        throw new LessonError(
          file,
          line,
          "check scripts run as written: lesson variables ({{node1.ip}}, ...) are not filled in there",
        );
      }
      const id = this.addCheck({ node: fence.node, timeoutSeconds: fence.timeoutSeconds, auto: fence.auto }, content);
      token.meta = { kind: "check", id } satisfies RenderMeta;
      return true;
    }
    if (fence.kind === "quiz") {
      token.meta = { kind: "quiz", id: this.addQuiz(content, line) } satisfies RenderMeta;
      return true;
    }
    if (!content.trim()) throw new LessonError(file, line, `a ${fence.kind} block must not be empty`);
    const rendered = renderFragment(content, this.context, line + 1);
    if (fence.kind === "hint") {
      if (this.hintLine)
        throw new LessonError(file, line, `a step has at most one hint (the first is on line ${this.hintLine})`);
      this.hintLine = line;
      this.secrets.hintHtml = rendered.html;
    } else {
      if (this.solution) {
        throw new LessonError(
          file,
          line,
          `a step has at most one solution (the first is on line ${this.solution.line})`,
        );
      }
      this.solution = { html: rendered.html, line };
      this.portLinks.push(...rendered.links.portLinks);
      this.downloadLinks.push(...rendered.links.downloadLinks);
    }
    return false;
  }

  private addQuiz(content: string, line: number): string {
    const source = parseQuizSource(content, this.context.file, line + 1);
    const id = `s${this.context.index}-q${this.quizzes.length}`;
    const correct = source.choices.flatMap((choice, index) => (choice.right ? [index] : []));
    this.quizzes.push({
      id,
      questionHtml: renderFragment(source.question.text, this.context, source.question.line).html,
      choices: source.choices.map((choice) => renderInlineFragment(choice.text, this.context, choice.line)),
      multiple: correct.length > 1,
    });
    this.secrets.quizzes[id] = {
      step: this.context.index,
      correct,
      explanationHtml: source.explanation
        ? renderFragment(source.explanation.text, this.context, source.explanation.line).html
        : null,
    };
    return id;
  }

  /** The finished step and its secrets; `extraHtml` is appended to its HTML. */
  build(title: string, extraHtml = ""): { step: TLessonStep; secrets: StepSecrets } {
    if (this.hintLine && this.checks.length === 0 && this.quizzes.length === 0) {
      throw new LessonError(
        this.context.file,
        this.hintLine,
        "a hint needs a check or a quiz in its step (it is revealed when the attendee gets it wrong)",
      );
    }
    const step: TLessonStep = {
      index: this.context.index,
      title,
      html: renderTokens(this.tokens) + extraHtml,
      blocks: this.blocks,
      portLinks: this.portLinks,
      checks: this.checks,
      quizzes: this.quizzes,
      downloadLinks: this.downloadLinks,
      solutionHtml: this.solution?.html ?? null,
      foreground: this.foreground,
    };
    return { step, secrets: this.secrets };
  }
}

/** Puts one step's secrets into the lesson's. */
export function addStepSecrets(into: LessonSecrets, index: number, step: StepSecrets): void {
  Object.assign(into.checks, step.checks);
  Object.assign(into.quizzes, step.quizzes);
  if (step.hintHtml !== null) into.hints[index] = step.hintHtml;
}
