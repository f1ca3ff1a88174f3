/**
 * A cached check: `run` is called at most once per `maxAgeMs`; callers in between get its last
 * result, and callers during a run share it. Load balancers probe every second or two from
 * several places; the Docker engine gets one ping per interval whatever their number.
 */
export class CachedCheck {
  private last: { ok: boolean; at: number } | undefined;
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async ok(): Promise<boolean> {
    if (this.last && this.now() - this.last.at < this.maxAgeMs) return this.last.ok;
    this.running ??= this.run()
      .then(
        () => true,
        () => false,
      )
      .then((ok) => {
        this.last = { ok, at: this.now() };
        this.running = undefined;
        return ok;
      });
    return this.running;
  }
}

export type Phase = "starting" | "serving" | "stopping";

/** What /api/ready answers: 200 only while serving with an engine that answers. */
export function readiness(
  phase: Phase,
  engineOk: boolean,
): { ready: boolean; phase: Phase; docker: "ok" | "unavailable" } {
  return { ready: phase === "serving" && engineOk, phase, docker: engineOk ? "ok" : "unavailable" };
}
