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

/**
 * Calls `onExit` once Docker says an exec's process has ended (asking every `intervalMs`, then
 * leaving `settleMs` for the last output to arrive). Waiting for the output stream's end alone is
 * not enough: Docker 20.10 now and then keeps a hijacked exec stream open after its process
 * exited (docker/cli#4553), and a detached child holding stdout keeps it open for up to 2 s, so a
 * check that had long finished would wait for its deadline and read as timed out. Returns stop().
 */
export function watchExecExit(
  inspect: () => Promise<{ Running?: boolean }>,
  onExit: () => void,
  intervalMs = 1_000,
  settleMs = 500,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    inspect()
      .then((answer) => {
        if (stopped) return;
        if (answer.Running === false) timer = setTimeout(() => stopped || onExit(), settleMs);
        else timer = setTimeout(tick, intervalMs);
      })
      // A failed inspect (a busy engine) is asked again; the caller's deadline still holds.
      .catch(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
