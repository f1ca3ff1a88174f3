import { LessonError } from "./lesson-error";

const DOWNLOAD_LINK = /^download:(node[1-9]):(.+)$/;

/**
 * The node and absolute path of a `download:node1:/root/.kube/config` link. The path is what the
 * download API reads in the node, so it must be absolute and free of `..` (also when percent-encoded).
 */
export function parseDownloadLink(
  href: string,
  nodes: ReadonlySet<string>,
  file: string,
  line: number,
): { node: string; path: string } {
  const match = DOWNLOAD_LINK.exec(href);
  if (!match)
    throw new LessonError(file, line, `bad download link "${href}" (expected download:<node>:/absolute/path)`);
  const [, node, encoded] = match as unknown as [string, string, string];
  if (!nodes.has(node)) {
    throw new LessonError(file, line, `download link targets ${node}, which is not one of the lesson's nodes`);
  }
  let filePath: string;
  try {
    filePath = decodeURIComponent(encoded);
  } catch {
    throw new LessonError(file, line, `download link "${href}" has a bad percent-encoding`);
  }
  if (!filePath.startsWith("/")) {
    throw new LessonError(file, line, `download path "${filePath}" must be absolute (start with /)`);
  }
  if (filePath.split("/").includes("..")) {
    throw new LessonError(file, line, `download path "${filePath}" must not contain ".." segments`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(filePath) || filePath.length > 4096) {
    throw new LessonError(file, line, `download path "${encoded}" has control characters or is too long`);
  }
  return { node, path: filePath };
}
