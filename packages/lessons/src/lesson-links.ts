import type { TLessonDownloadLink, TLessonPortLink } from "@kubelab/shared";
import type Token from "markdown-it/lib/token.mjs";
import { parseDownloadLink } from "./download-links";
import { LessonError } from "./lesson-error";

/** What the link checks need to know about the lesson. */
export interface LinkContext {
  /** Shown in errors, e.g. content/lessons/demo/es.md. */
  file: string;
  nodes: ReadonlySet<string>;
  /** URL prefix under which the lesson's assets (relative image paths) are served. */
  assetBaseUrl: string;
}

export interface InlineLinks {
  portLinks: TLessonPortLink[];
  downloadLinks: TLessonDownloadLink[];
}

// markdown-it percent-encodes braces in link targets. Port URL variables stay variables so the lab
// page can fill them in; others (a user name could be "javascript:...") never become link targets.
const ENCODED_URL_VARIABLE = /%7B%7B\s*(node[1-9]\.(?:url|pathurl)\.\d{1,5})\s*%7D%7D/gi;
const PORT_LINK = /^port:(node[1-9]):(\d{1,5})(\/[^\s]*)?$/;
const SAFE_SCHEMES = /^(https?:|mailto:)/i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function linkText(children: Token[], start: number): string {
  let text = "";
  for (let j = start + 1; j < children.length && children[j]!.type !== "link_close"; j++) text += children[j]!.content;
  return text;
}

/**
 * Validates links and images of one inline token; rewrites port links, download links and asset
 * paths into what the web app enhances, and returns the port and download links.
 */
export function checkInline(token: Token, context: LinkContext, line: number): InlineLinks {
  const { file, nodes } = context;
  const links: InlineLinks = { portLinks: [], downloadLinks: [] };
  const children = token.children ?? [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    if (child.type === "link_open") {
      const href = (child.attrGet("href") ?? "").replace(ENCODED_URL_VARIABLE, "{{$1}}");
      child.attrSet("href", href);
      if (href.startsWith("port:")) {
        const port = PORT_LINK.exec(href);
        if (!port) throw new LessonError(file, line, `bad port link "${href}" (expected port:<node>:<port>[/path])`);
        const [, node, portText, path] = port as unknown as [string, string, string, string | undefined];
        const portNumber = Number(portText);
        if (!nodes.has(node)) {
          throw new LessonError(file, line, `port link targets ${node}, which is not one of the lesson's nodes`);
        }
        if (portNumber < 1 || portNumber > 65535) throw new LessonError(file, line, `port ${portText} is out of range`);
        links.portLinks.push({ node, port: portNumber, path: path ?? "/", text: linkText(children, i) });
        // The web app turns these into proxy URLs for the attendee's own session.
        child.attrSet("href", `#port-${node}-${portNumber}`);
        child.attrSet("data-port-node", node);
        child.attrSet("data-port", String(portNumber));
        child.attrSet("data-port-path", path ?? "/");
      } else if (href.startsWith("download:")) {
        const { node, path } = parseDownloadLink(href, nodes, file, line);
        links.downloadLinks.push({ node, path, text: linkText(children, i) });
        // The web app fetches the file from the attendee's node.
        child.attrSet("href", `#download-${node}`);
        child.attrSet("data-download-node", node);
        child.attrSet("data-download-path", path);
      } else if (ANY_SCHEME.test(href) && !SAFE_SCHEMES.test(href)) {
        throw new LessonError(
          file,
          line,
          `link "${href}" uses a forbidden scheme (allowed: http, https, mailto, port, download)`,
        );
      } else if (href.startsWith("//")) {
        throw new LessonError(file, line, `protocol-relative link "${href}" is not allowed; write https://`);
      }
    }
    if (child.type === "image") {
      const src = child.attrGet("src") ?? "";
      if (ANY_SCHEME.test(src) || src.startsWith("/") || src.split("/").includes("..")) {
        throw new LessonError(file, line, `image "${src}" must be a relative path inside the lesson folder`);
      }
      child.attrSet("src", `${context.assetBaseUrl}/${src.replace(/^\.\//, "")}`);
    }
  }
  return links;
}
