"use client";

import type { CSSProperties } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { PlusIcon } from "@/components/ui/icons";
import { DownloadFileButton } from "./download-file-button";
import { TerminalTabs, terminalPanelId, terminalTabId, terminalTestId } from "./terminal-tabs";
import { TerminalView, type DroppedFile } from "./terminal-view";
import { useTerminalActions, useTerminalWorkspace, type TerminalLayout } from "./terminal-workspace";

interface TerminalAreaProps {
  sessionId: string;
  nodes: string[];
  onFilesDropped: (node: string, files: DroppedFile[]) => void;
  /** Downloads a file of a node (the toolbar's "Download file"). */
  onDownload: (node: string, path: string) => void;
  onSessionClosed: () => void;
}

/** The right pane of a ready lab: tab strip, new-terminal menu, layout switch and the terminals. */
export function TerminalArea({ sessionId, nodes, onFilesDropped, onDownload, onSessionClosed }: TerminalAreaProps) {
  const { dict } = useI18n();
  const { tabs, activeKey, layout } = useTerminalWorkspace();
  return (
    <div className="terminal-area" data-testid="terminal-area" data-layout={layout}>
      <div className="terminal-toolbar">
        <TerminalTabs />
        <NewTerminalMenu nodes={nodes} />
        <DownloadFileButton onDownload={onDownload} />
        <LayoutSwitch />
      </div>
      <div
        className="terminal-panels"
        data-layout={layout}
        style={{ "--terminal-count": Math.min(tabs.length, 3) } as CSSProperties}
        aria-label={dict.lab.terminalsPane}
      >
        {/* Always the same children in the same order: switching layout or tab never remounts a terminal. */}
        {tabs.map((tab) => (
          <TerminalView
            key={tab.key}
            sessionId={sessionId}
            tab={tab}
            visible={layout === "split" || tab.key === activeKey}
            testId={terminalTestId(tab)}
            tabId={terminalTabId(tab)}
            panelId={terminalPanelId(tab)}
            onFilesDropped={onFilesDropped}
            onSessionClosed={onSessionClosed}
          />
        ))}
      </div>
    </div>
  );
}

function NewTerminalMenu({ nodes }: { nodes: string[] }) {
  const { dict } = useI18n();
  const { tabs, maxPerNode } = useTerminalWorkspace();
  const { openTerminal } = useTerminalActions();
  const full = (node: string) => tabs.filter((tab) => tab.node === node).length >= maxPerNode;
  const fullTitle = formatMessage(dict.terminal.maxTerminals, { max: maxPerNode });

  if (nodes.length === 1 && nodes[0]) {
    const node = nodes[0];
    return (
      <button
        type="button"
        className="icon-button"
        onClick={() => openTerminal(node)}
        disabled={full(node)}
        title={full(node) ? fullTitle : formatMessage(dict.terminal.newTerminalOn, { node })}
        aria-label={formatMessage(dict.terminal.newTerminalOn, { node })}
        data-testid="terminal-new"
      >
        <PlusIcon />
      </button>
    );
  }
  // Several nodes: a popover menu (native popover: Esc and outside clicks close it).
  return (
    <>
      <button
        type="button"
        className="icon-button"
        popoverTarget="new-terminal-menu"
        aria-label={dict.terminal.newTerminal}
        title={dict.terminal.newTerminal}
        data-testid="terminal-new"
      >
        <PlusIcon />
      </button>
      <div id="new-terminal-menu" popover="auto" className="popover-menu" role="menu">
        {nodes.map((node) => (
          <button
            key={node}
            type="button"
            role="menuitem"
            disabled={full(node)}
            title={full(node) ? fullTitle : undefined}
            data-testid={`terminal-new-${node}`}
            onClick={(event) => {
              openTerminal(node);
              event.currentTarget.closest<HTMLElement>("[popover]")?.hidePopover();
            }}
          >
            {formatMessage(dict.terminal.newTerminalOn, { node })}
          </button>
        ))}
      </div>
    </>
  );
}

function LayoutSwitch() {
  const { dict } = useI18n();
  const { layout } = useTerminalWorkspace();
  const { setLayout } = useTerminalActions();
  const options: Array<{ value: TerminalLayout; label: string }> = [
    { value: "tabs", label: dict.terminal.layoutTabs },
    { value: "split", label: dict.terminal.layoutSplit },
  ];
  return (
    <div className="segmented" role="group" aria-label={dict.terminal.layoutLabel}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          aria-pressed={layout === option.value}
          onClick={() => setLayout(option.value)}
          data-testid={`terminal-layout-${option.value}`}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
