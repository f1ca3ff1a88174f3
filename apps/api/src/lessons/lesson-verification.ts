import type { TLesson } from "@kubelab/shared";

/** A check's output is bounded: its last part is kept (the end of a script says why it failed). */
export const CHECK_OUTPUT_MAX_BYTES = 4096;

/** Collects a stream's bytes and keeps only the last `maxBytes` of them. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly maxBytes = CHECK_OUTPUT_MAX_BYTES) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    // Drop whole chunks that lie entirely before the last maxBytes; the cut is exact in text().
    while (this.chunks.length > 1 && this.kept - this.chunks[0]!.length >= this.maxBytes) {
      this.kept -= this.chunks.shift()!.length;
    }
  }

  /** The kept output as text, never starting inside a UTF-8 character; truncated when bytes were dropped. */
  text(): { output: string; truncated: boolean } {
    const all = Buffer.concat(this.chunks);
    let start = Math.max(0, all.length - this.maxBytes);
    const truncated = this.total > this.maxBytes;
    // Continuation bytes (10xxxxxx) at the cut belong to a character whose start was dropped.
    while (start > 0 && start < all.length && (all[start]! & 0xc0) === 0x80) start++;
    return { output: all.subarray(start).toString("utf8"), truncated };
  }
}

/** What verification needs of a lesson: each step's check and quiz ids. */
export type VerifiableLesson = Pick<TLesson, "gated"> & {
  steps: readonly { checks: readonly { id: string }[]; quizzes: readonly { id: string }[] }[];
};

export interface VerifiedProgress {
  passed: string[];
  verifiedSteps: number[];
  doneSteps: number[];
}

function stepIds(step: VerifiableLesson["steps"][number]): string[] {
  return [...step.checks.map((c) => c.id), ...step.quizzes.map((q) => q.id)];
}

/** Whether a step has anything to verify (a check or a quiz). */
export function isVerifiable(step: VerifiableLesson["steps"][number]): boolean {
  return stepIds(step).length > 0;
}

/**
 * Progress after `id` (a check or quiz of `stepIndex`) passed: the id joins `passed`; once every
 * check and quiz of the step has passed, the step is verified and so done as well. Ids of checks
 * that no longer exist stay recorded (a lesson edited during a class must not take progress away).
 */
export function recordPass(
  lesson: VerifiableLesson,
  progress: VerifiedProgress,
  stepIndex: number,
  id: string,
): VerifiedProgress {
  const passed = progress.passed.includes(id) ? [...progress.passed] : [...progress.passed, id].sort();
  const step = lesson.steps[stepIndex];
  const complete = step !== undefined && stepIds(step).every((required) => passed.includes(required));
  const add = (steps: number[]) =>
    complete && !steps.includes(stepIndex) ? [...steps, stepIndex].sort((a, b) => a - b) : [...steps];
  return { passed, verifiedSteps: add(progress.verifiedSteps), doneSteps: add(progress.doneSteps) };
}

/**
 * The furthest step a gated lesson lets the attendee move to: the first step with checks or quizzes
 * not yet verified (its own content stays open; the next ones do not). Without `gated`, or with
 * every such step verified, the last step.
 */
export function furthestOpenStep(lesson: VerifiableLesson, verifiedSteps: readonly number[]): number {
  const last = lesson.steps.length - 1;
  if (!lesson.gated) return last;
  const blocking = lesson.steps.findIndex((step, index) => isVerifiable(step) && !verifiedSteps.includes(index));
  return blocking === -1 ? last : blocking;
}
