"use client";

import { ZWatchTargets, type TWatchTargets } from "@kubelab/shared";
import Link from "next/link";
import { useEffect, useState } from "react";
import { apiRequest, apiRequestNoContent } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useToast } from "@/components/ui/toast-provider";
import { watchTabs } from "@/lib/watch/watch-status";
import { WatchTerminal } from "./watch-terminal";

// The attendee opens and closes terminals on their own; the tabs follow within this.
const TARGETS_POLL_MS = 3_000;

interface AttendeeWatchProps {
  eventId: string;
  initial: TWatchTargets;
  /** Opened from the room's help queue: "Done" resolves this request. */
  helpRequestId: string | null;
}

/** The watch page: the attendee's name, a tab per running terminal (node1, node2, ...), the watched terminal. */
export function AttendeeWatch({ eventId, initial, helpRequestId }: AttendeeWatchProps) {
  const { dict } = useI18n();
  const t = dict.watch;
  const [targets, setTargets] = useState(initial);
  const tabs = watchTabs(targets.nodes);
  const [selected, setSelected] = useState<string | null>(tabs[0]?.key ?? null);
  const [help, setHelp] = useState<"open" | "resolving" | "done">("open");
  const toast = useToast();
  const path = `/api/events/${encodeURIComponent(eventId)}/sessions/${encodeURIComponent(targets.sessionId)}` as const;

  useEffect(() => {
    const controller = new AbortController();
    const timer = setInterval(() => {
      apiRequest("GET", `${path}/terminals`, ZWatchTargets, { signal: controller.signal })
        .then(setTargets)
        .catch(() => undefined);
    }, TARGETS_POLL_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [path]);

  // The first terminal once one appears, and another one if the watched terminal goes away.
  const active = tabs.find((tab) => tab.key === selected) ?? tabs[0] ?? null;

  async function resolveHelp(): Promise<void> {
    if (!helpRequestId) return;
    setHelp("resolving");
    try {
      await apiRequestNoContent(
        "POST",
        `/api/events/${encodeURIComponent(eventId)}/help/${encodeURIComponent(helpRequestId)}/resolve`,
      );
      setHelp("done");
    } catch (failure) {
      setHelp("open");
      toast.show("error", apiErrorText(failure, dict));
    }
  }

  return (
    <div className="watch-page" data-testid="watch-page" data-session-id={targets.sessionId}>
      <header className="watch-header">
        <h1>{formatMessage(t.title, { name: targets.name })}</h1>
        <p className="watch-session-status" data-testid="watch-session-status" data-status={targets.status}>
          {formatMessage(t.sessionStatus, { status: dict.session.sessionStatus[targets.status] })}
        </p>
        {helpRequestId ? (
          help === "done" ? (
            <p role="status" data-testid="watch-help-done">
              {t.doneSent}
            </p>
          ) : (
            <button
              type="button"
              className="button"
              disabled={help === "resolving"}
              onClick={() => void resolveHelp()}
              data-testid="watch-done"
            >
              {t.done}
            </button>
          )
        ) : null}
        {/* The room (/events/[id]/room) is where Watch and Help lead here from. */}
        <Link href={`/events/${encodeURIComponent(eventId)}/room`} className="watch-back" data-testid="watch-back">
          {t.backToRoom}
        </Link>
      </header>
      <div className="terminal-toolbar">
        <div
          className="terminal-tablist"
          role="tablist"
          aria-label={formatMessage(t.terminalsLabel, { name: targets.name })}
        >
          {targets.nodes.map((node) =>
            node.terminals.length === 0 ? (
              <span key={node.name} className="watch-tab-empty" data-testid={`watch-empty-${node.name}`}>
                {formatMessage(t.noTerminal, { node: node.name })}
              </span>
            ) : (
              node.terminals.map((terminalId) => {
                const key = `${node.name}/${terminalId}`;
                return (
                  <button
                    key={key}
                    type="button"
                    role="tab"
                    className="terminal-tab"
                    aria-selected={active?.key === key}
                    onClick={() => setSelected(key)}
                    data-testid={`watch-tab-${node.name}-${terminalId}`}
                  >
                    {terminalId === "main" ? node.name : `${node.name} · ${terminalId}`}
                  </button>
                );
              })
            ),
          )}
        </div>
      </div>
      {active ? (
        // Keyed: another tab is another socket and another screen.
        <WatchTerminal
          key={active.key}
          eventId={eventId}
          sessionId={targets.sessionId}
          name={targets.name}
          tab={active}
        />
      ) : (
        <p className="watch-empty" data-testid="watch-no-terminals">
          {formatMessage(t.noTerminals, { name: targets.name })}
        </p>
      )}
    </div>
  );
}
