"use client";

import { TERMINAL_CLOSE_CODES } from "@kubelab/shared";
import { useCallback, useEffect, useRef, useState, type DragEvent } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import type { ConnectionState } from "@/lib/terminal/terminal-connection";
import { useTerminalActions, type TerminalHandle, type TerminalTab } from "./terminal-workspace";
import { useTerminalSession } from "./use-terminal-session";

export interface DroppedFile {
  file: File;
  isDirectory: boolean;
}

interface TerminalViewProps {
  sessionId: string;
  tab: TerminalTab;
  visible: boolean;
  /** Test hook suffix: "node1" for a node's main terminal, "node1-t2" for the others. */
  testId: string;
  tabId: string;
  panelId: string;
  onFilesDropped: (node: string, files: DroppedFile[]) => void;
  /** The server closed the terminal because the session ended or failed. */
  onSessionClosed: () => void;
}

export function TerminalView(props: TerminalViewProps) {
  const { sessionId, tab, visible, testId, onSessionClosed } = props;
  const { dict } = useI18n();
  const { reportStatus, registerHandle } = useTerminalActions();
  const containerRef = useRef<HTMLDivElement>(null);
  const mirrorRef = useRef<HTMLPreElement>(null);
  const [dragging, setDragging] = useState(false);

  const onState = useCallback((next: ConnectionState) => reportStatus(tab.key, next.status), [reportStatus, tab.key]);
  const onHandle = useCallback(
    (handle: TerminalHandle | null) => registerHandle(tab.key, handle),
    [registerHandle, tab.key],
  );

  const { state, restart } = useTerminalSession({
    sessionId,
    node: tab.node,
    terminalId: tab.terminalId,
    containerRef,
    mirrorRef,
    onState,
    onHandle,
  });

  useEffect(() => {
    if (state.status === "closed") onSessionClosed();
  }, [state.status, onSessionClosed]);

  function onDragOver(event: DragEvent<HTMLElement>): void {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setDragging(true);
  }

  function onDragLeave(event: DragEvent<HTMLElement>): void {
    if (event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget)) return;
    setDragging(false);
  }

  function onDrop(event: DragEvent<HTMLElement>): void {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    setDragging(false);
    const items = Array.from(event.dataTransfer.items).filter((item) => item.kind === "file");
    const dropped = items.flatMap((item): DroppedFile[] => {
      const file = item.getAsFile();
      // Folders arrive as zero-byte "files"; the entry API tells them apart.
      return file ? [{ file, isDirectory: item.webkitGetAsEntry()?.isDirectory ?? false }] : [];
    });
    if (dropped.length > 0) props.onFilesDropped(tab.node, dropped);
  }

  return (
    <section
      className="terminal-view"
      id={props.panelId}
      role="tabpanel"
      aria-labelledby={props.tabId}
      hidden={!visible}
      data-testid={`terminal-${testId}`}
      data-node={tab.node}
      data-terminal-id={tab.terminalId}
      data-status={state.status}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <div ref={containerRef} className="terminal-screen" />
      <TerminalOverlay state={state} onNewShell={restart} />
      {dragging ? (
        <div className="terminal-drop-overlay" aria-hidden="true">
          {formatMessage(dict.terminal.dropHere, { node: tab.node })}
        </div>
      ) : null}
      {/* Plain text of the last ~200 lines for tests and tools; screen readers use xterm's own output. */}
      <pre ref={mirrorRef} className="visually-hidden" aria-hidden="true" data-testid={`terminal-text-${testId}`} />
    </section>
  );
}

function TerminalOverlay({ state, onNewShell }: { state: ConnectionState; onNewShell: () => void }) {
  const { dict } = useI18n();
  switch (state.status) {
    case "connecting":
    case "connected":
      return null;
    case "reconnecting":
      return (
        <p className="terminal-banner" role="status">
          {dict.terminal.reconnectingIn}
        </p>
      );
    case "exited":
      return (
        <div className="terminal-overlay" role="status">
          <p>
            {state.exitCode === null || state.exitCode === undefined
              ? dict.terminal.shellExitedNoCode
              : formatMessage(dict.terminal.shellExited, { code: state.exitCode })}
          </p>
          <button type="button" className="button button-primary" onClick={onNewShell} data-testid="terminal-new-shell">
            {dict.terminal.newShell}
          </button>
        </div>
      );
    case "closed":
      return (
        <div className="terminal-overlay" role="status">
          <p>
            {state.closeCode === TERMINAL_CLOSE_CODES.sessionFailed
              ? dict.terminal.closedFailed
              : dict.terminal.closedEnded}
          </p>
          {state.reason ? (
            <details className="error-detail">
              <summary>{dict.apiErrors.detail}</summary>
              <p lang="en">{state.reason}</p>
            </details>
          ) : null}
        </div>
      );
  }
}
