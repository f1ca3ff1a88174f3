import { ZLessonFrontMatter, type TLessonFrontMatter } from "@kubelab/shared";
import { parseDocument } from "yaml";
import { LessonError } from "./lesson-error";

export interface SplitLesson {
  frontMatter: TLessonFrontMatter;
  body: string;
  /** Lines before the body starts, to turn body line numbers into file line numbers. */
  bodyLineOffset: number;
  /** The file line of a top-level front matter key (1 if absent), for errors about its value. */
  keyLine: (key: string) => number;
}

/** Separates and validates the YAML front matter; errors point at the offending line. */
export function splitFrontMatter(source: string, file: string): SplitLesson {
  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const lines = text.split("\n");
  if (lines[0] !== "---") throw new LessonError(file, 1, "the file must start with front matter (a line with ---)");
  const end = lines.indexOf("---", 1);
  if (end < 0) throw new LessonError(file, 1, "the front matter is not closed (no second --- line)");
  const yamlText = lines.slice(1, end).join("\n");
  const keyLine = (key: string): number => {
    const index = lines.slice(1, end).findIndex((l) => l.startsWith(`${key}:`));
    return index >= 0 ? index + 2 : 1;
  };
  const document = parseDocument(yamlText);
  const yamlError = document.errors[0];
  if (yamlError) {
    const line = (yamlError.linePos?.[0]?.line ?? 1) + 1;
    throw new LessonError(file, line, `bad front matter: ${yamlError.message.split("\n")[0]}`);
  }
  const parsed = ZLessonFrontMatter.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === "unrecognized_keys" ? issue.keys[0] : String(issue.path[0] ?? "");
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    const message =
      issue.code === "unrecognized_keys" ? `unknown front matter key "${key}"` : `${where}${issue.message}`;
    throw new LessonError(file, keyLine(String(key)), `bad front matter: ${message}`);
  }
  return { frontMatter: parsed.data, body: lines.slice(end + 1).join("\n"), bodyLineOffset: end + 1, keyLine };
}
