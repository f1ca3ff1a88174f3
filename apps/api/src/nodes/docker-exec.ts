import type { Duplex } from "node:stream";

/** A shell started with `DockerEngine.openShell`: its stream is not time-limited, its control calls are. */
export interface ShellExec {
  /** The TTY: what is written goes to the shell's input, what is read is its output. */
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** The exit code once the process ended (null while it runs, or if Docker does not know it). */
  exitCode(): Promise<number | null>;
}

/**
 * The exit code in Docker's answer to an exec inspect. ExitCode is null while the process runs;
 * Running is checked as well, so a process still running never reads as a clean exit 0.
 */
export function execExitCode(inspect: { Running?: boolean; ExitCode?: number | null }): number | null {
  if (inspect.Running) return null;
  return typeof inspect.ExitCode === "number" ? inspect.ExitCode : null;
}
