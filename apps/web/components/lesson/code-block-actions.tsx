"use client";

import type { TLessonBlock } from "@kubelab/shared";
import { useEffect, useState } from "react";
import { useTerminalActions, useNodeTerminalStatus } from "@/components/terminal/terminal-workspace";
import { useToast } from "@/components/ui/toast-provider";
import { CheckIcon, CopyIcon, PasteIcon, PlayIcon } from "@/components/ui/icons";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { blockTerminalInput } from "@/lib/lab/block-input";
import { copyText } from "@/lib/ui/copy-text";

/** Buttons above one lesson code block (rendered into the block's <div> through a portal). */
export function CodeBlockActions({ block }: { block: TLessonBlock }) {
  return (
    <>
      {block.node && block.mode !== "copy" ? <TerminalButton block={block} node={block.node} /> : null}
      <CopyButton text={block.command} />
    </>
  );
}

function TerminalButton({ block, node }: { block: TLessonBlock; node: string }) {
  const { dict } = useI18n();
  const toast = useToast();
  const { typeIntoNode } = useTerminalActions();
  const status = useNodeTerminalStatus(node);
  const connected = status === "connected";
  const run = block.mode === "run";
  const label = formatMessage(run ? dict.lab.runIn : dict.lab.pasteInto, { node });
  return (
    <button
      type="button"
      className={run ? "block-button block-button-run" : "block-button"}
      // aria-disabled rather than disabled: the button stays focusable and its title explains why.
      aria-disabled={!connected}
      title={connected ? undefined : formatMessage(dict.lab.nodeNotConnected, { node })}
      data-testid={run ? "block-run" : "block-paste"}
      data-node={node}
      onClick={() => {
        if (!connected || !typeIntoNode(node, blockTerminalInput(block))) {
          toast.show("error", formatMessage(dict.lab.nodeNotConnected, { node }));
        }
      }}
    >
      {run ? <PlayIcon /> : <PasteIcon />}
      {label}
    </button>
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
