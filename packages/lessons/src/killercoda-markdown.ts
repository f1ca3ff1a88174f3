/** A difference between a Killercoda scenario and what Kubelab makes of it, on a 0-based line. */
export interface KillercodaNote {
  line: number;
  message: string;
}

export interface TranslatedMarkdown {
  /** Kubelab markdown with the same lines as the source (errors keep their line numbers). */
  text: string;
  notes: KillercodaNote[];
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})\s*(\{\{[^}]*\}\})?\s*$/;
// Killercoda's {{exec}} / {{exec interrupt}} / {{copy}}, and Katacoda's older {{execute}}.
export const ANNOTATION = /^\{\{\s*(exec|execute|copy)((?:\s+[^}\s]+)*)\s*\}\}/;
const TRAFFIC_LINK = /\]\(\s*\{\{TRAFFIC_HOST(\d+)_(\d{1,5})\}\}([^)\s]*)\s*\)/g;
const TRAFFIC_VARIABLE = /\{\{TRAFFIC_HOST(\d+)_(\d{1,5})\}\}/g;
const TRAFFIC_SELECTOR_LINK = /\[([^\]]*)\]\(\s*\{\{TRAFFIC_SELECTOR\}\}\s*\)/g;
const RAW_HTML = /<\/?(details|summary|img|div|span|p|b|i|a|table|tr|td|pre|code|center|font|iframe|video)\b[^>]*>/i;
// Kubelab's own fence words; a Killercoda fence using one as its language is shown as text.
const RESERVED_LANGUAGES = new Set(["hint", "solution", "quiz"]);

// Longer than any fence a scenario's solution contains, so those stay inside it.
const SOLUTION_OPEN = "``````solution";
const SOLUTION_CLOSE = "``````";
const DETAILS_OPEN = /^\s*<details>\s*(?:<summary>(.*?)<\/summary>)?\s*$/i;
const SUMMARY = /^\s*<summary>(.*?)<\/summary>\s*$/i;

/** A `<details>` whose summary says Solution (on its line or the next non-blank one). */
function solutionDetails(lines: string[], index: number): { summaryLine: number } | null {
  const open = DETAILS_OPEN.exec(lines[index]!);
  if (!open) return null;
  let summaryLine = index;
  let summary = open[1];
  if (summary === undefined) {
    summaryLine = index + 1;
    while (summaryLine < lines.length && !lines[summaryLine]!.trim()) summaryLine++;
    summary = SUMMARY.exec(lines[summaryLine] ?? "")?.[1];
  }
  return summary !== undefined && /solution|answer/i.test(summary) ? { summaryLine } : null;
}

export type FenceAction = { mode: "run" | "copy"; interrupt: boolean } | { unknown: string };

/** What a {{...}} annotation after code asks for. */
export function annotationAction(annotation: string): FenceAction {
  const match = ANNOTATION.exec(annotation);
  if (!match) return { unknown: annotation };
  const words = match[2]!.trim().split(/\s+/).filter(Boolean);
  if (match[1] === "copy") return words.length ? { unknown: annotation } : { mode: "copy", interrupt: false };
  if (words.length === 0) return { mode: "run", interrupt: false };
  if (words.length === 1 && words[0] === "interrupt") return { mode: "run", interrupt: true };
  return { unknown: annotation };
}

function hostNode(host: string, nodes: readonly string[]): string | undefined {
  const node = `node${host}`;
  return nodes.includes(node) ? node : undefined;
}

/** Port URLs: a link to {{TRAFFIC_HOST1_8080}}/x becomes a port link, any other use a variable. */
function translateTraffic(text: string, nodes: readonly string[], line: number, notes: KillercodaNote[]): string {
  return text
    .replace(TRAFFIC_LINK, (whole, host: string, port: string, rest: string) => {
      const node = hostNode(host, nodes);
      if (!node) return whole;
      return `](port:${node}:${port}${rest && !rest.startsWith("/") ? `/${rest}` : rest})`;
    })
    .replace(TRAFFIC_VARIABLE, (whole, host: string, port: string) => {
      const node = hostNode(host, nodes);
      if (node) return `{{${node}.url.${port}}}`;
      notes.push({ line, message: `${whole} names host ${host}, which the scenario's nodes do not have` });
      return whole;
    });
}

/**
 * Turns Killercoda markdown into Kubelab markdown line by line: ```{{exec}} fences become run
 * blocks on node1 (`{{exec interrupt}}` with Ctrl-C first), ```{{copy}} copy-only blocks,
 * {{TRAFFIC_HOST1_PORT}} port links or {{node1.url.PORT}}, and `code`{{}} plain code. What has no
 * Kubelab counterpart is reported in `notes`. Inline `cmd`{{exec}} is handled on the tokens.
 */
export function translateKillercodaMarkdown(source: string, nodes: readonly string[]): TranslatedMarkdown {
  const lines = source
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  const notes: KillercodaNote[] = [];
  let fence: { line: number; marker: string; language: string } | null = null;
  let htmlNoted = false;
  let solution = false;
  let solutionUsed = false;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index]!;
    if (fence) {
      const close = FENCE_CLOSE.exec(text);
      if (close && close[1]![0] === fence.marker[0] && close[1]!.length >= fence.marker.length) {
        const annotation = close[2];
        let info = fence.language;
        if (annotation && annotation !== "{{}}") {
          const action = annotationAction(annotation);
          if ("unknown" in action) {
            notes.push({ line: index, message: `unknown annotation ${annotation}: the block is shown to copy` });
          } else if (action.mode === "run") {
            info = `${fence.language || "bash"} node1${action.interrupt ? " interrupt" : ""}`;
          }
        }
        lines[fence.line] = lines[fence.line]!.replace(
          FENCE_OPEN,
          (_, indent: string, marker: string) => `${indent}${marker}${info}`,
        );
        lines[index] = text.replace(/\{\{[^}]*\}\}/, "");
        fence = null;
      } else {
        lines[index] = translateTraffic(text, nodes, index, notes).replace(TRAFFIC_SELECTOR_LINK, "$1");
      }
      continue;
    }
    const details = solutionDetails(lines, index);
    if (details && !solution && !solutionUsed) {
      // <details><summary>Solution</summary> ... </details>: Kubelab's "Show solution".
      lines[index] = SOLUTION_OPEN;
      if (details.summaryLine !== index) lines[details.summaryLine] = "";
      index = details.summaryLine;
      solution = true;
      solutionUsed = true;
      continue;
    }
    if (solution && /^\s*<\/details>\s*$/i.test(text)) {
      lines[index] = SOLUTION_CLOSE;
      solution = false;
      continue;
    }
    const open = FENCE_OPEN.exec(text);
    if (open && !(open[2]![0] === "`" && open[3]!.includes("`"))) {
      const [language = "", ...rest] = open[3]!.trim().split(/\s+/).filter(Boolean);
      if (rest.length) notes.push({ line: index, message: `code block words after "${language}" are ignored` });
      fence = { line: index, marker: open[2]!, language: RESERVED_LANGUAGES.has(language) ? "text" : language };
      lines[index] = `${open[1]}${open[2]}${fence.language}`;
      continue;
    }
    let line = translateTraffic(text, nodes, index, notes);
    if (line.includes("{{TRAFFIC_SELECTOR}}")) {
      notes.push({
        line: index,
        message: "{{TRAFFIC_SELECTOR}} has no counterpart: the lab page lists the open ports",
      });
      line = line.replace(TRAFFIC_SELECTOR_LINK, "$1").replaceAll("{{TRAFFIC_SELECTOR}}", "");
    }
    // Commands in a solution are shown, not run (like a Kubelab ```solution block).
    if (solution) line = line.replace(/(`)\{\{\s*(exec|execute|copy)[^}]*\}\}/g, "$1");
    // `text`{{}} only turns Killercoda's click-to-copy off; Kubelab's inline code has none.
    line = line.replace(/`\{\{\}\}/g, "`");
    if (/^\s*<br\s*\/?>\s*$/i.test(line)) line = "";
    else if (!htmlNoted && RAW_HTML.test(line)) {
      htmlNoted = true;
      notes.push({ line: index, message: "raw HTML (e.g. <details>, <img>) is shown as text, not rendered" });
    }
    lines[index] = line;
  }
  if (fence) notes.push({ line: fence.line, message: "code block is not closed" });
  if (solution) lines.push(SOLUTION_CLOSE);
  return { text: lines.join("\n"), notes };
}
