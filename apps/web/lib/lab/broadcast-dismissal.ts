/** The broadcasts an attendee dismissed, kept in this browser (localStorage) so a reload does not show them again. */
const KEY = "kubelab.dismissedBroadcasts";
// Only the latest broadcast is ever shown, so a few ids are plenty.
const KEEP = 20;

type Store = Pick<Storage, "getItem" | "setItem">;

function read(store: Store): string[] {
  try {
    const parsed: unknown = JSON.parse(store.getItem(KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

export function isBroadcastDismissed(store: Store, id: string): boolean {
  return read(store).includes(id);
}

export function dismissBroadcast(store: Store, id: string): void {
  const ids = [id, ...read(store).filter((other) => other !== id)].slice(0, KEEP);
  try {
    store.setItem(KEY, JSON.stringify(ids));
  } catch {
    // Storage full or disabled: it stays dismissed until the page reloads.
  }
}
