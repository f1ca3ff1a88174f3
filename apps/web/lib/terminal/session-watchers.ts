import type { TTerminalWatchers } from "@kubelab/shared";

export type SessionWatcher = TTerminalWatchers["watchers"][number];

type Listener = () => void;

const EMPTY: readonly SessionWatcher[] = [];

/**
 * Who watches each session, as the attendee's terminal sockets last heard it (`watchers` messages,
 * issue 16). Every socket of a session gets the same list, so the latest one wins. A tiny store
 * outside React: the terminals publish, the lab page's notice subscribes (useSyncExternalStore),
 * and nothing between them has to pass it along.
 */
export class SessionWatchersStore {
  private readonly lists = new Map<string, readonly SessionWatcher[]>();
  private readonly listeners = new Set<Listener>();

  publish(sessionId: string, watchers: readonly SessionWatcher[]): void {
    const before = this.get(sessionId);
    if (JSON.stringify(before) === JSON.stringify(watchers)) return;
    this.lists.set(sessionId, watchers.length === 0 ? EMPTY : watchers);
    for (const listener of this.listeners) listener();
  }

  /** The same array until the list changes (what useSyncExternalStore needs). */
  get(sessionId: string): readonly SessionWatcher[] {
    return this.lists.get(sessionId) ?? EMPTY;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The page's one store. */
export const sessionWatchers = new SessionWatchersStore();
