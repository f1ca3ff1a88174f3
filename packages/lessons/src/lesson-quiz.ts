import { LessonError } from "./lesson-error";

/** A part of a quiz block's text with the file line it starts on. */
export interface QuizPart {
  text: string;
  line: number;
}

export interface QuizSource {
  question: QuizPart;
  choices: (QuizPart & { right: boolean })[];
  explanation: QuizPart | null;
}

const CHOICE = /^\s*[-*+]\s+\[([ xX])\]\s*(.*)$/;

/**
 * Splits a ```quiz``` block: the question (markdown) up to the first `- [ ]` / `- [x]` line, the
 * choices (an indented line continues the choice above), then an optional `> explanation`.
 * `firstLine` is the file line of the block's first content line.
 */
export function parseQuizSource(content: string, file: string, firstLine: number): QuizSource {
  const lines = content.replace(/\n$/, "").split("\n");
  const question: string[] = [];
  const choices: QuizSource["choices"] = [];
  const explanation: string[] = [];
  let explanationLine = 0;
  lines.forEach((text, index) => {
    const line = firstLine + index;
    const choice = CHOICE.exec(text);
    if (explanation.length) {
      if (text.trim() && !text.startsWith(">")) {
        throw new LessonError(file, line, "a quiz's explanation (> lines) must come last");
      }
      explanation.push(text.replace(/^>\s?/, ""));
    } else if (choice) {
      choices.push({ right: choice[1] !== " ", text: choice[2]!.trim(), line });
    } else if (!choices.length) {
      question.push(text);
    } else if (text.startsWith(">")) {
      explanationLine = line;
      explanation.push(text.replace(/^>\s?/, ""));
    } else if (/^\s+\S/.test(text)) {
      choices[choices.length - 1]!.text += ` ${text.trim()}`;
    } else if (text.trim()) {
      throw new LessonError(
        file,
        line,
        "unexpected line in a quiz: after the question come only choices (- [ ] or - [x]) and a > explanation",
      );
    }
  });
  const blockLine = firstLine - 1;
  if (!question.join("").trim()) throw new LessonError(file, blockLine, "a quiz needs a question before its choices");
  if (choices.length < 2) {
    throw new LessonError(file, blockLine, `a quiz needs at least 2 choices (- [ ] or - [x]); found ${choices.length}`);
  }
  if (!choices.some((c) => c.right))
    throw new LessonError(file, blockLine, "a quiz needs at least one right choice (- [x])");
  const empty = choices.find((c) => !c.text);
  if (empty) throw new LessonError(file, empty.line, "a quiz choice must have text");
  const explanationText = explanation.join("\n").trim();
  return {
    question: { text: question.join("\n"), line: firstLine },
    choices,
    explanation: explanationText ? { text: explanationText, line: explanationLine } : null,
  };
}
