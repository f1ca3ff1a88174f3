"use client";

import { ZTerminalForeground, type TLessonBlock, type TTerminalForeground } from "@kubelab/shared";
import { useEffect, useState } from "react";
import { useTerminalActions, useNodeTerminalStatus } from "@/components/terminal/terminal-workspace";
import { useToast } from "@/components/ui/toast-provider";
import { CheckIcon, CopyIcon, PasteIcon, PlayIcon } from "@/components/ui/icons";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { blockTerminalInput } from "@/lib/lab/block-input";
import { fillVariables } from "@/lib/lab/lesson-variables";
import { interruptAndWait, runDecision } from "@/lib/lab/run-guard";
import { copyText } from "@/lib/ui/copy-text";
import { useLessonLab } from "./lesson-lab-context";
import { RunBusyDialog } from "./run-busy-dialog";

/** Buttons above one lesson code block (rendered into the block's <div> through a portal). */
export function CodeBlockActions({ block }: { block: TLessonBlock }) {
  const { variables } = useLessonLab();
  // Variables are filled in before a command is typed or copied, never sent as written.
  const command = fillVariables(block.command, variables);
  return (
    <>
      {block.node && block.mode !== "copy" ? (
        <TerminalButton block={block} node={block.node} command={command} />
      ) : null}
      <CopyButton text={command} />
    </>
  );
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function TerminalButton({ block, node, command }: { block: TLessonBlock; node: string; command: string }) {
  const { dict } = useI18n();
  const toast = useToast();
  const { sessionId, onBlockTyped } = useLessonLab();
  const { typeIntoNode, targetTerminalId } = useTerminalActions();
  const status = useNodeTerminalStatus(node);
  const [busy, setBusy] = useState<{ node: string; command: string | null } | null>(null);
  const connected = status === "connected";
  const run = block.mode === "run";
  const label = formatMessage(run ? dict.lab.runIn : dict.lab.pasteInto, { node });
  const input = blockTerminalInput({ mode: block.mode, command });
  const notConnected = () => toast.show("error", formatMessage(dict.lab.nodeNotConnected, { node }));

  // What runs in the foreground of the terminal the block would type into; null when unknown.
  async function foreground(): Promise<TTerminalForeground | null> {
    const terminal = targetTerminalId(node);
    if (!sessionId || !terminal) return null;
    const path =
      `/api/sessions/${sessionId}/nodes/${node}/terminal/foreground?terminal=${encodeURIComponent(terminal)}` as const;
    try {
      return await apiRequest("GET", path, ZTerminalForeground, { signal: AbortSignal.timeout(4_000) });
    } catch {
      return null;
    }
  }

  function type(): void {
    if (!typeIntoNode(node, input)) {
      notConnected();
      return;
    }
    onBlockTyped(block);
  }

  async function interruptThenType(): Promise<void> {
    const idle = await interruptAndWait({ send: (text) => typeIntoNode(node, text), probe: foreground, wait });
    if (idle) type();
    else toast.show("error", formatMessage(dict.lesson.interruptFailed, { node }));
  }

  async function onClick(): Promise<void> {
    if (!connected) {
      notConnected();
      return;
    }
    // Only "run" blocks press Enter; an "edit" block leaves its text at the prompt for the attendee.
    if (!run && !block.interrupt) {
      type();
      return;
    }
    const decision = runDecision(block, await foreground());
    if (decision.kind === "type") type();
    else if (decision.kind === "interrupt") await interruptThenType();
    else setBusy({ node, command: decision.command });
  }

  return (
    <>
      <button
        type="button"
        className={run ? "block-button block-button-run" : "block-button"}
        // aria-disabled rather than disabled: the button stays focusable and its title explains why.
        aria-disabled={!connected}
        title={connected ? undefined : formatMessage(dict.lab.nodeNotConnected, { node })}
        data-testid={run ? "block-run" : "block-paste"}
        data-node={node}
        onClick={() => void onClick()}
      >
        {run ? <PlayIcon /> : <PasteIcon />}
        {label}
      </button>
      {busy ? (
        <RunBusyDialog
          busy={busy}
          onCancel={() => setBusy(null)}
          onRunAnyway={() => {
            setBusy(null);
            type();
          }}
          onInterrupt={() => {
            setBusy(null);
            void interruptThenType();
          }}
        />
      ) : null}
    </>
  );
}

function CopyButton({ text }: { text: string }) {
  const { dict } = useI18n();
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="block-button"
      data-testid="block-copy"
      onClick={() => {
        void copyText(text).then((ok) => {
          if (ok) setCopied(true);
          else toast.show("error", dict.lab.copyFailed);
        });
      }}
    >
      {copied ? <CheckIcon /> : <CopyIcon />}
      <span aria-live="polite">{copied ? dict.lab.copied : dict.lab.copy}</span>
    </button>
  );
}
