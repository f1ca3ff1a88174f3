import { execFileSync } from "node:child_process";

/** Fails with `install` as the hint when `command` is not on the PATH; installs nothing. */
export function requireTool(command: string, versionFlag: string, install: string): void {
  try {
    execFileSync(command, [versionFlag], { stdio: "ignore" });
  } catch (error) {
    // wrk --version exits 1 even when present; only a missing binary is fatal.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${command} is missing: ${install}`);
  }
}
