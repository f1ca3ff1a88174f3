import { LESSON_VARIABLE } from "@kubelab/shared";

/** A variable problem on a 0-based line of the scanned text. */
export interface VariableProblem {
  line: number;
  message: string;
}

const EXACT = new RegExp(`^${LESSON_VARIABLE.source}$`);
const ANY_BRACES = /\{\{(.*?)\}\}/g;
// Go templates (`{{ .State.Status }}`, `{{range ...}}`) start with a dot or are not a dotted name.
const DOTTED_NAME = /^[a-z_][\w-]*(\.[\w-]+)+$/i;
const KNOWN = "session.id, user.name, nodeN.hostname, nodeN.ip, nodeN.url.PORT, nodeN.pathurl.PORT";

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

// The first part of a dotted name that is almost one of ours: sesion, usr, node1, nod2, Node1...
function looksLikeOurs(head: string): boolean {
  const lower = head.toLowerCase();
  return (
    distance(lower, "session") <= 2 || distance(lower, "user") <= 1 || distance(lower.replace(/\d+$/, ""), "node") <= 1
  );
}

/**
 * Checks every {{...}} of a text: lesson variables must name a lesson node and a valid port, and
 * near misses ({{node1.ipp}}, {{sesion.id}}) are reported instead of being shown as written.
 */
export function findVariableProblems(text: string, nodes: ReadonlySet<string>): VariableProblem[] {
  const problems: VariableProblem[] = [];
  text.split("\n").forEach((lineText, line) => {
    for (const match of lineText.matchAll(ANY_BRACES)) {
      const inner = match[1]!.trim();
      const written = match[0];
      if (EXACT.test(written)) {
        const node = /^node\d/.exec(inner)?.[0];
        const port = /\.(\d+)$/.exec(inner)?.[1];
        if (node && !nodes.has(node)) {
          problems.push({ line, message: `variable ${written} names ${node}, which is not one of the lesson's nodes` });
        } else if (port && (Number(port) < 1 || Number(port) > 65535)) {
          problems.push({ line, message: `variable ${written}: port ${port} is out of range` });
        }
      } else if (DOTTED_NAME.test(inner) && looksLikeOurs(inner.split(".")[0]!)) {
        problems.push({ line, message: `unknown variable ${written} (the variables are ${KNOWN})` });
      }
    }
  });
  return problems;
}

/** Whether a text uses a lesson variable (the server runs check scripts as written). */
export function usesLessonVariable(text: string): boolean {
  return new RegExp(LESSON_VARIABLE.source).test(text);
}
