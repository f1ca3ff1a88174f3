"use client";

import type { TLessonBlock } from "@kubelab/shared";
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { createPortal } from "react-dom";
import { useToast } from "@/components/ui/toast-provider";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { portUrl } from "@/lib/lab/port-url";
import { CodeBlockActions } from "./code-block-actions";

interface StepContentProps {
  /** Sanitized by the lesson parser on the server: raw HTML in lessons is escaped, never rendered. */
  html: string;
  blocks: TLessonBlock[];
  /** Port links need a running session to point at; null before it is ready. */
  sessionId: string | null;
}

interface BlockHost {
  block: TLessonBlock;
  host: HTMLElement;
}

/**
 * A step's HTML, enhanced in place: each `<div data-block-id>` gets its buttons
 * (React portals into a toolbar element added to the block), port links get
 * real URLs, and external links open in a new tab so the lab stays open.
 */
export function StepContent({ html, blocks, sessionId }: StepContentProps) {
  const { dict } = useI18n();
  const toast = useToast();
  const ref = useRef<HTMLDivElement>(null);
  const [hosts, setHosts] = useState<BlockHost[]>([]);
  // React 19 rewrites innerHTML whenever the {__html} object changes identity,
  // which would wipe the toolbars added below on every re-render (a countdown
  // tick is enough): keep one object per html string.
  const markup = useMemo(() => ({ __html: html }), [html]);

  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    const created: BlockHost[] = [];
    for (const block of blocks) {
      const element = root.querySelector(`[data-block-id="${CSS.escape(block.id)}"]`);
      if (!element) continue;
      element.setAttribute("data-block-mode", block.mode);
      if (block.node) element.setAttribute("data-block-node", block.node);
      const host = document.createElement("div");
      host.className = "block-actions";
      element.insertBefore(host, element.firstChild);
      created.push({ block, host });
    }
    setHosts(created);
    return () => created.forEach(({ host }) => host.remove());
  }, [html, blocks]);

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    for (const link of root.querySelectorAll<HTMLAnchorElement>("a[data-port-node]")) {
      const node = link.dataset.portNode ?? "";
      const port = Number(link.dataset.port);
      link.title = formatMessage(dict.lab.portLinkTitle, { node, port });
      if (!sessionId) continue;
      link.href = portUrl(sessionId, node, port, link.dataset.portPath ?? "/");
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    for (const link of root.querySelectorAll<HTMLAnchorElement>('a[href^="http:"], a[href^="https:"]')) {
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
  }, [html, sessionId, dict]);

  // Before the session is ready a port link has nowhere to go; say so instead of jumping to "#port-...".
  function onClick(event: MouseEvent<HTMLDivElement>): void {
    if (sessionId || !(event.target instanceof Element)) return;
    if (event.target.closest("a[data-port-node]")) {
      event.preventDefault();
      toast.show("info", dict.lab.labNotReady);
    }
  }

  return (
    <>
      <div ref={ref} className="lesson-html" onClick={onClick} dangerouslySetInnerHTML={markup} />
      {hosts.map(({ block, host }) => createPortal(<CodeBlockActions block={block} />, host, block.id))}
    </>
  );
}
