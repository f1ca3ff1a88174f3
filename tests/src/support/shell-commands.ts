// The simple commands a lesson's bash block runs, found well enough to check
// that a node image provides them. Not a shell parser: it knows quotes,
// comments, here-documents, `$( )`, pipes and lists, `for`/`if`/`while`
// bodies and leading variable assignments, which is what lessons use.

/** One simple command: its words as written (quotes removed), first word the command. */
export type SimpleCommand = string[];

// Reserved words after which the next word is again a command.
const LEADING_KEYWORDS = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"]);
// Reserved words that end a construct and run nothing themselves.
const CLOSING_KEYWORDS = new Set(["fi", "done", "esac", "}"]);
// `for x in a b` and `case x in`: the rest of that command is not a command.
const HEADER_KEYWORDS = new Set(["for", "case", "select"]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Drops the bodies of here-documents (`<<EOF`, `<<'EOF'`, `<<-EOF`), which are data. */
function withoutHereDocuments(script: string): string {
  const kept: string[] = [];
  let delimiter: string | undefined;
  for (const line of script.split("\n")) {
    if (delimiter !== undefined) {
      if (line.replace(/^\t+/, "") === delimiter) delimiter = undefined;
      continue;
    }
    kept.push(line);
    delimiter = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(line.replace(/<<</g, ""))?.[2];
  }
  return kept.join("\n");
}

/** Index just after the `)` closing the `$(` whose content starts at `start`. */
function endOfSubstitution(text: string, start: number): number {
  let depth = 1;
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
  }
  return text.length;
}

export function simpleCommands(script: string): SimpleCommand[] {
  const text = withoutHereDocuments(script);
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;

  const endWord = (): void => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    // Leading keywords and assignments are not the command; headers have none.
    while (words.length && (LEADING_KEYWORDS.has(words[0]!) || ASSIGNMENT.test(words[0]!))) words.shift();
    if (words.length && !CLOSING_KEYWORDS.has(words[0]!) && !HEADER_KEYWORDS.has(words[0]!)) commands.push(words);
    words = [];
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (c === "$" && text[i + 1] === "(") {
      const end = endOfSubstitution(text, i + 2);
      // `$(( ))` is arithmetic: nothing runs.
      if (text[i + 2] !== "(") commands.push(...simpleCommands(text.slice(i + 2, end - 1)));
      word += text.slice(i, end);
      inWord = true;
      i = end - 1;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\") word += text[++i] ?? "";
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      // A backslash-newline continues the command; any other escape is literal.
      if (text[i + 1] !== "\n") {
        word += text[i + 1] ?? "";
        inWord = true;
      }
      i++;
    } else if (c === "#" && !inWord) {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === " " || c === "\t") {
      endWord();
    } else if (c === "&" && (text[i - 1] === ">" || text[i - 1] === "<" || text[i + 1] === ">")) {
      // Part of a redirection (`2>&1`, `&>file`), not a list operator.
      word += c;
      inWord = true;
    } else if (c === "\n" || c === ";" || c === "&" || c === "|" || c === "(" || c === ")") {
      endCommand();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}
