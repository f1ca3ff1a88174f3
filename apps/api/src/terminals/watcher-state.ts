import type { TTerminalWatchers } from "@kubelab/shared";
import type { TakeoverGrant } from "../access/watch-access-rules";

/** What the server keeps of one watcher socket's take-over. */
export interface WatcherState {
  typing: boolean;
  mayTakeOver: TakeoverGrant;
}

/**
 * A watcher's state under the attendee's permission as it stands now: typing ends when the
 * permission is gone, never starts by itself (only a granted `takeover` starts it). `changed`: the
 * watcher must be told (a `watch` message); `stoppedTyping`: the attendee too (`watchers`).
 */
export function underGrant(
  state: WatcherState,
  grant: TakeoverGrant,
): WatcherState & { changed: boolean; stoppedTyping: boolean } {
  const stoppedTyping = grant === "no" && state.typing;
  return {
    typing: state.typing && !stoppedTyping,
    mayTakeOver: grant,
    changed: grant !== state.mayTakeOver || stoppedTyping,
    stoppedTyping,
  };
}

/** The attendee's `watchers` message: one entry per watching user (typing in any terminal), by name. */
export function watchersMessage(
  watchers: Iterable<{ userId: string; name: string; typing: boolean }>,
): TTerminalWatchers {
  const byUser = new Map<string, { name: string; typing: boolean }>();
  for (const watcher of watchers) {
    const entry = byUser.get(watcher.userId) ?? { name: watcher.name, typing: false };
    entry.typing ||= watcher.typing;
    byUser.set(watcher.userId, entry);
  }
  return { type: "watchers", watchers: [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}
