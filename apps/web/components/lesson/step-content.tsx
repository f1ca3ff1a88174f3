"use client";

import type { TLessonBlock, TLessonCheck, TLessonProgress, TLessonQuiz } from "@kubelab/shared";
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { createPortal } from "react-dom";
import { useToast } from "@/components/ui/toast-provider";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { fillVariablesInHtml } from "@/lib/lab/lesson-variables";
import { portUrl } from "@/lib/lab/port-url";
import { CheckPanel } from "./check-panel";
import { CodeBlockActions } from "./code-block-actions";
import { useLessonLab } from "./lesson-lab-context";
import { QuizForm } from "./quiz-form";

interface StepContentProps {
  /** Sanitized by the lesson parser on the server: raw HTML in lessons is escaped, never rendered. */
  html: string;
  blocks: TLessonBlock[];
  checks: TLessonCheck[];
  quizzes: TLessonQuiz[];
  /** Ids of the checks and quizzes passed so far (progress.passed). */
  passed: readonly string[];
  onProgress: (progress: TLessonProgress) => void;
  /** Downloads a file of a node (download links: `data-download-node`, `data-download-path`). */
  onDownload: (node: string, path: string) => void;
}

type Host =
  | { kind: "block"; block: TLessonBlock; host: HTMLElement }
  | { kind: "check"; check: TLessonCheck; host: HTMLElement }
  | { kind: "quiz"; quiz: TLessonQuiz; host: HTMLElement };

/**
 * A step's HTML, enhanced in place: variables filled in (as text), each `<div data-block-id>` gets
 * its buttons, each `.lesson-check` its Check button and each `.lesson-quiz` its form (React
 * portals), port links get real URLs, download links fetch from the node, and external links open
 * in a new tab so the lab stays open.
 */
export function StepContent({ html, blocks, checks, quizzes, passed, onProgress, onDownload }: StepContentProps) {
  const { dict } = useI18n();
  const toast = useToast();
  const { sessionId, lessonId, variables } = useLessonLab();
  const ref = useRef<HTMLDivElement>(null);
  const [hosts, setHosts] = useState<Host[]>([]);
  const filled = useMemo(() => fillVariablesInHtml(html, variables), [html, variables]);
  // React 19 rewrites innerHTML whenever the {__html} object changes identity, which would wipe
  // the toolbars added below on every re-render (a countdown tick is enough): one object per text.
  const markup = useMemo(() => ({ __html: filled }), [filled]);

  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    const created: Host[] = [];
    const place = (selector: string, before: boolean): HTMLElement | null => {
      const element = root.querySelector(selector);
      if (!element) return null;
      const host = document.createElement("div");
      if (before) element.insertBefore(host, element.firstChild);
      else element.append(host);
      return host;
    };
    for (const block of blocks) {
      const element = root.querySelector(`[data-block-id="${CSS.escape(block.id)}"]`);
      if (!element) continue;
      element.setAttribute("data-block-mode", block.mode);
      if (block.node) element.setAttribute("data-block-node", block.node);
      const host = place(`[data-block-id="${CSS.escape(block.id)}"]`, true);
      if (!host) continue;
      host.className = "block-actions";
      created.push({ kind: "block", block, host });
    }
    for (const check of checks) {
      const host = place(`[data-check-id="${CSS.escape(check.id)}"]`, false);
      if (host) created.push({ kind: "check", check, host });
    }
    for (const quiz of quizzes) {
      const host = place(`[data-quiz-id="${CSS.escape(quiz.id)}"]`, false);
      if (host) created.push({ kind: "quiz", quiz, host });
    }
    setHosts(created);
    return () => created.forEach(({ host }) => host.remove());
  }, [filled, blocks, checks, quizzes]);

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
    for (const link of root.querySelectorAll<HTMLAnchorElement>("a[data-download-node]")) {
      link.title = formatMessage(dict.lesson.downloadLinkTitle, {
        node: link.dataset.downloadNode ?? "",
        path: link.dataset.downloadPath ?? "",
      });
    }
    for (const link of root.querySelectorAll<HTMLAnchorElement>('a[href^="http:"], a[href^="https:"]')) {
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
  }, [filled, sessionId, dict]);

  function onClick(event: MouseEvent<HTMLDivElement>): void {
    if (!(event.target instanceof Element)) return;
    const download = event.target.closest<HTMLAnchorElement>("a[data-download-node]");
    if (download) {
      event.preventDefault();
      onDownload(download.dataset.downloadNode ?? "", download.dataset.downloadPath ?? "");
      return;
    }
    // Before the session is ready a port link has nowhere to go; say so instead of jumping to "#port-...".
    if (!sessionId && event.target.closest("a[data-port-node]")) {
      event.preventDefault();
      toast.show("info", dict.lab.labNotReady);
    }
  }

  return (
    <>
      <div ref={ref} className="lesson-html" onClick={onClick} dangerouslySetInnerHTML={markup} />
      {hosts.map((host) => {
        if (host.kind === "block")
          return createPortal(<CodeBlockActions block={host.block} />, host.host, host.block.id);
        if (host.kind === "check") {
          return createPortal(
            <CheckPanel check={host.check} passedBefore={passed.includes(host.check.id)} />,
            host.host,
            host.check.id,
          );
        }
        return createPortal(
          <QuizForm
            lessonId={lessonId}
            quiz={host.quiz}
            passedBefore={passed.includes(host.quiz.id)}
            onProgress={onProgress}
          />,
          host.host,
          host.quiz.id,
        );
      })}
    </>
  );
}
