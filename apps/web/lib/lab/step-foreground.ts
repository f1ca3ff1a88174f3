/**
 * A step's foreground command (Killercoda's foreground.sh) is typed once per session, when the step
 * is first opened: remembered in sessionStorage per session, so a reload does not type it again.
 */
const key = (sessionId: string) => `kubelab.stepForeground.${sessionId}`;

type Store = Pick<Storage, "getItem" | "setItem">;

function typedSteps(store: Store, sessionId: string): number[] {
  try {
    const parsed: unknown = JSON.parse(store.getItem(key(sessionId)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((step): step is number => Number.isInteger(step)) : [];
  } catch {
    return [];
  }
}

/** True the first time it is asked for a step of a session (the caller types then), false after. */
export function claimStepForeground(store: Store, sessionId: string, step: number): boolean {
  const typed = typedSteps(store, sessionId);
  if (typed.includes(step)) return false;
  try {
    store.setItem(key(sessionId), JSON.stringify([...typed, step]));
  } catch {
    // Storage disabled: typed once per page load instead.
  }
  return true;
}
