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

/** A command or text with its variables filled in; any it cannot fill stay as written. */
export function fillVariables(text: string, values: LessonVariableValues): string {
  return text.replace(pattern(), (written, name: string) => variableValue(name, values) ?? written);
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// A variable as the whole target of a markdown link: the parser percent-encodes its braces.
const ENCODED_URL_VARIABLE = /%7B%7B\s*(node[1-9]\.(?:url|pathurl)\.\d{1,5})\s*%7D%7D/gi;

/**
 * A step's sanitized HTML with its variables filled in as text, HTML-escaped (a user name like
 * `<b>` shows as written, never as markup). Port URL variables used as link targets, which the
 * lesson parser percent-encoded, are filled in too; other variables are never put in a URL.
 */
export function fillVariablesInHtml(html: string, values: LessonVariableValues): string {
  return html
    .replace(ENCODED_URL_VARIABLE, (written, name: string) => {
      const value = variableValue(name, values);
      return value ? escapeHtml(value) : written;
    })
    .replace(pattern(), (written, name: string) => {
      const value = variableValue(name, values);
      return value === undefined ? written : escapeHtml(value);
    });
}
