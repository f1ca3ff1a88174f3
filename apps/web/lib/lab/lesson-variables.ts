import { LESSON_VARIABLE, portUrlsFor, type TPortUrlBase } from "@kubelab/shared";

/** What the lesson variables ({{session.id}}, {{node1.url.30001}}, ...) stand for in this lab. */
export interface LessonVariableValues {
  /** Null until the session is ready: its variables are then left as written. */
  sessionId: string | null;
  userName: string;
  nodes: ReadonlyArray<{ name: string; ip: string | null }>;
  portUrls: TPortUrlBase;
}

/** The value of one variable by name ("node1.url.30001"), or undefined when it has none (yet). */
export function variableValue(name: string, values: LessonVariableValues): string | undefined {
  if (name === "session.id") return values.sessionId ?? undefined;
  if (name === "user.name") return values.userName;
  const match = /^(node[1-9])\.(hostname|ip|url|pathurl)(?:\.(\d{1,5}))?$/.exec(name);
  if (!match) return undefined;
  const [, node = "", kind, port] = match;
  const known = values.nodes.find((n) => n.name === node);
  if (!known) return undefined;
  if (kind === "hostname") return known.name; // node names are their hostnames
  if (kind === "ip") return known.ip ?? undefined;
  const number = Number(port);
  if (!values.sessionId || !(number >= 1 && number <= 65535)) return undefined;
  const urls = portUrlsFor(values.portUrls, { sessionId: values.sessionId, node, port: number });
  return kind === "url" ? urls.host : urls.path;
}

function pattern(): RegExp {
  return new RegExp(LESSON_VARIABLE.source, "g");
}

/**
 * Replaces every variable of `text` with `render(value)`, or leaves it as written without a value.
 * A port URL ends with "/": when the lesson goes on with a path (`{{node1.url.8080}}/hello`), that
 * slash is dropped so the path does not start with "//".
 */
function replaceVariables(
  text: string,
  values: LessonVariableValues,
  variable: RegExp,
  render: (value: string) => string,
): string {
  return text.replace(variable, (written, name: string, offset: number) => {
    const value = variableValue(name, values);
    if (value === undefined) return written;
    const followedBySlash = text.charAt(offset + written.length) === "/";
    return render(followedBySlash && value.endsWith("/") ? value.slice(0, -1) : value);
  });
}

/** A command or text with its variables filled in; any it cannot fill stay as written. */
export function fillVariables(text: string, values: LessonVariableValues): string {
  return replaceVariables(text, values, pattern(), (value) => value);
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// A port URL variable as a link target, percent-encoded by markdown-it (lesson parsers since
// "port URL variables work as link targets" restore the braces themselves).
const ENCODED_URL_VARIABLE = /%7B%7B\s*(node[1-9]\.(?:url|pathurl)\.\d{1,5})\s*%7D%7D/gi;

/**
 * A step's sanitized HTML with its variables filled in as text, HTML-escaped (a user name like
 * `<b>` shows as written, never as markup), link targets included: the lesson parser leaves only
 * port URL variables there (others stay percent-encoded, so a user name never becomes a link).
 */
export function fillVariablesInHtml(html: string, values: LessonVariableValues): string {
  const links = replaceVariables(html, values, ENCODED_URL_VARIABLE, escapeHtml);
  return replaceVariables(links, values, pattern(), escapeHtml);
}
