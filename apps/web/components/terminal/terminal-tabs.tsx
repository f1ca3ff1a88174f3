"use client";

import { useRef, type KeyboardEvent } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import type { ConnectionStatus } from "@/lib/terminal/terminal-connection";
import { CloseIcon } from "@/components/ui/icons";
import { useTerminalActions, useTerminalWorkspace, type TerminalTab } from "./terminal-workspace";

export const terminalTestId = (tab: TerminalTab) =>
  tab.terminalId === "main" ? tab.node : `${tab.node}-${tab.terminalId}`;
export const terminalTabId = (tab: TerminalTab) => `terminal-tab-${terminalTestId(tab)}`;
export const terminalPanelId = (tab: TerminalTab) => `terminal-panel-${terminalTestId(tab)}`;

/** The tab strip: one tab per terminal with its connection status (WAI-ARIA tabs, arrow keys move). */
export function TerminalTabs() {
  const { dict } = useI18n();
  const { tabs, activeKey, statuses, layout } = useTerminalWorkspace();
  const { activate, closeTerminal, focusTerminal } = useTerminalActions();
  const tabRefs = useRef(new Map<string, HTMLButtonElement>());

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, index: number): void {
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: tabs.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) {
      if (event.key === "Delete" && tabs[index] && tabs[index].terminalId !== "main") closeTerminal(tabs[index].key);
      return;
    }
    event.preventDefault();
    const tab = tabs[(target + tabs.length) % tabs.length];
    if (!tab) return;
    activate(tab.key);
    tabRefs.current.get(tab.key)?.focus();
  }

  return (
    <div role="tablist" aria-label={dict.terminal.tabsLabel} className="terminal-tablist" data-layout={layout}>
      {tabs.map((tab, index) => {
        const status: ConnectionStatus = statuses[tab.key] ?? "connecting";
        const selected = tab.key === activeKey;
        const name = tab.terminalId === "main" ? tab.node : `${tab.node} · ${tab.terminalId}`;
        return (
          <div key={tab.key} className="terminal-tab-item" role="presentation">
            <button
              type="button"
              role="tab"
              id={terminalTabId(tab)}
              aria-selected={selected}
              aria-controls={terminalPanelId(tab)}
              tabIndex={selected ? 0 : -1}
              className="terminal-tab"
              data-testid={`terminal-tab-${terminalTestId(tab)}`}
              data-status={status}
              ref={(element) => {
                if (element) tabRefs.current.set(tab.key, element);
                else tabRefs.current.delete(tab.key);
              }}
              onClick={() => {
                // Side by side, every terminal is visible: a click means "work in this one".
                if (layout === "split") focusTerminal(tab.key);
                else activate(tab.key);
              }}
              onKeyDown={(event) => onKeyDown(event, index)}
              aria-keyshortcuts={tab.terminalId === "main" ? undefined : "Delete"}
            >
              <span className={`status-dot status-dot-${status}`} aria-hidden="true" />
              <span>{name}</span>
              <span className={status === "connected" ? "visually-hidden" : "terminal-tab-status"}>
                {dict.terminal.status[status]}
              </span>
            </button>
            {tab.terminalId !== "main" ? (
              <button
                type="button"
                className="icon-button terminal-tab-close"
                aria-label={formatMessage(dict.terminal.closeTerminal, { name })}
                onClick={() => closeTerminal(tab.key)}
                tabIndex={-1}
              >
                <CloseIcon />
              </button>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
