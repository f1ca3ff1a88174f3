import { reconnectDelay } from "@/lib/terminal/reconnect-delay";

export interface RetryingEventSource {
  /** Stops for good: closes the stream and cancels a pending reconnection. */
  close(): void;
  /** Closes the stream and opens it again after the backoff (e.g. on a server's `ended`). */
  reconnectLater(): void;
}

export interface RetryingEventSourceOptions {
  /** Each (re)connection attempt, and each drop that EventSource retries by itself. */
  onConnecting: () => void;
  /** Named events; a handler returns true for a good message, which resets the backoff. */
  events: Record<string, (data: unknown) => boolean | void>;
}

/**
 * An EventSource that comes back. EventSource retries a dropped connection itself, but an HTTP
 * error (401, 404, a proxy's 5xx) closes it for good; this reopens it then, with backoff
 * (reconnectDelay), until `close()`. Shared by the lab page's ports and the instructor's room.
 */
export function openRetryingEventSource(url: string, options: RetryingEventSourceOptions): RetryingEventSource {
  let closed = false;
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  const reconnectLater = (): void => {
    source?.close();
    clearTimeout(retryTimer);
    if (!closed) retryTimer = setTimeout(connect, reconnectDelay(attempt++));
  };

  function connect(): void {
    if (closed) return;
    options.onConnecting();
    const stream = new EventSource(url);
    source = stream;
    for (const [name, handle] of Object.entries(options.events)) {
      stream.addEventListener(name, (event) => {
        if (closed) return;
        if (handle(event.data) === true) attempt = 0;
      });
    }
    stream.addEventListener("error", () => {
      if (closed) return;
      if (stream.readyState === EventSource.CLOSED) reconnectLater();
      else options.onConnecting();
    });
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      source?.close();
    },
    reconnectLater,
  };
}
