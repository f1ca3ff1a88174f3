/** A step that has checks or quizzes can be verified; in a gated lesson it must be before the next opens. */
export function needsVerification(step: { checks: readonly unknown[]; quizzes: readonly unknown[] }): boolean {
  return step.checks.length > 0 || step.quizzes.length > 0;
}

/**
 * The last step the attendee may open: in a gated lesson, the first verifiable step not verified
 * yet (the server refuses progress past it with 409 step_not_verified); otherwise the last step.
 */
export function lastOpenStep(
  steps: ReadonlyArray<{ checks: readonly unknown[]; quizzes: readonly unknown[] }>,
  verifiedSteps: readonly number[],
  gated: boolean,
): number {
  const last = Math.max(0, steps.length - 1);
  if (!gated) return last;
  const verified = new Set(verifiedSteps);
  const blocking = steps.findIndex((step, index) => needsVerification(step) && !verified.has(index));
  return blocking < 0 ? last : blocking;
}
