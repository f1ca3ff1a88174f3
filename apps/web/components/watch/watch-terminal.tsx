"use client";

import type { TTerminalWatchState } from "@kubelab/shared";
import { useCallback, useRef, useState } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { watchStatus, type WatchTab } from "@/lib/watch/watch-status";
import { useTerminalSession } from "@/components/terminal/use-terminal-session";

interface WatchTerminalProps {
  eventId: string;
  sessionId: string;
  /** The attendee's name, for the status line. */
  name: string;
  tab: WatchTab;
}

const noHandle = () => undefined;

/**
 * One of the attendee's terminals on the watch socket: their screen as it is (read-only), the
 * status line, and "Take over" while the attendee allows it or asks for help. The keyboard reaches
 * the shell only after a granted take-over; the server enforces it.
 */
export function WatchTerminal({ eventId, sessionId, name, tab }: WatchTerminalProps) {
  const { dict } = useI18n();
  const containerRef = useRef<HTMLDivElement>(null);
  const mirrorRef = useRef<HTMLPreElement>(null);
  const [watch, setWatch] = useState<TTerminalWatchState | null>(null);
  const [refused, setRefused] = useState(false);

  const onWatch = useCallback((next: TTerminalWatchState) => {
    setWatch(next);
    if (next.typing) setRefused(false);
  }, []);
  const onServerError = useCallback((code: string) => {
    if (code === "read_only") setRefused(true);
  }, []);

  const { state, takeover } = useTerminalSession({
    sessionId,
    node: tab.node,
    terminalId: tab.terminalId,
    containerRef,
    mirrorRef,
    onState: noHandle,
    onHandle: noHandle,
    watchEventId: eventId,
    onWatch,
    onServerError,
  });
  const { status, canTakeOver } = watchStatus(state.status, state.status === "connected" ? watch : null);

  return (
    <section
      className="watch-terminal"
      data-testid="watch-terminal"
      data-node={tab.node}
      data-terminal-id={tab.terminalId}
      data-connection={state.status}
      data-watch-status={status}
    >
      <div className="terminal-toolbar">
        <p className="watch-status" role="status" data-testid="watch-status">
          {formatMessage(dict.watch.status[status], { name })}
          {refused && status !== "typing" ? <span className="watch-refused"> {dict.watch.readOnlyTyped}</span> : null}
        </p>
        <button
          type="button"
          className="button button-primary"
          disabled={!canTakeOver}
          onClick={() => takeover()}
          data-testid="watch-takeover"
        >
          {dict.watch.takeOver}
        </button>
      </div>
      <div ref={containerRef} className="terminal-screen watch-screen" data-testid="watch-screen" />
      <pre ref={mirrorRef} className="visually-hidden" aria-hidden="true" data-testid="watch-text" />
    </section>
  );
}
