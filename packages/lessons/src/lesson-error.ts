/** A problem in a lesson file, located by file and (1-based) line. */
export class LessonError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
  }
}
