"use client";

import type { TLabLimits, TLesson, TLessonProgress } from "@kubelab/shared";
import { useMemo } from "react";
import type { LessonVariableValues } from "@/lib/lab/lesson-variables";
import { LessonPanel } from "@/components/lesson/lesson-panel";
import { TerminalArea } from "@/components/terminal/terminal-area";
import { TerminalWorkspaceProvider } from "@/components/terminal/terminal-workspace";
import { BroadcastBanner } from "./broadcast-banner";
import { HelpRequestButton } from "./help-request-button";
import { SessionBar } from "./session-bar";
import { SessionStatePanel } from "./session-state-panel";
import { SplitPane } from "./split-pane";
import { useDetectedPorts } from "./use-detected-ports";
import { useFileUpload } from "./use-file-upload";
import { useLabSession } from "./use-lab-session";
import { useNodeDownload } from "./use-node-download";
import { WatchersNotice } from "./watchers-notice";

interface LabWorkspaceProps {
  lesson: TLesson;
  languageNote: string | null;
  initialProgress: TLessonProgress | null;
  /** The server's per-lab limits (GET /api/limits). */
  limits: TLabLimits;
  /** The attendee's display name ({{user.name}} in lessons). */
  userName: string;
}

/** The lab page: session bar on top, the lesson on the left, the node terminals (or the session's state) on the right. */
export function LabWorkspace({ lesson, languageNote, initialProgress, limits, userName }: LabWorkspaceProps) {
  const lab = useLabSession(lesson.id);
  const session = lab.state.phase === "active" ? lab.state.session : null;
  const ready = session?.status === "ready" ? session : null;
  const uploadFiles = useFileUpload(ready?.id ?? "", limits.uploadMaxBytes);
  // An "ended" event means the session stopped (or the server is restarting): re-check it now.
  const ports = useDetectedPorts(ready?.id ?? null, lab.refresh);
  const nodes = ready ? ready.nodes.map((node) => node.name) : [];
  const download = useNodeDownload(ready?.id ?? null, limits.downloadMaxBytes);
  // One object per change of what the variables stand for: the step HTML is re-filled only then.
  const nodeFacts = JSON.stringify(ready ? ready.nodes.map(({ name, ip }) => ({ name, ip })) : []);
  const variables = useMemo<LessonVariableValues>(
    () => ({
      sessionId: ready?.id ?? null,
      userName,
      nodes: JSON.parse(nodeFacts) as LessonVariableValues["nodes"],
      portUrls: limits.portUrls,
    }),
    [ready?.id, userName, nodeFacts, limits.portUrls],
  );

  return (
    <TerminalWorkspaceProvider sessionId={ready?.id ?? null} nodes={nodes} maxPerNode={limits.terminalsPerNode}>
      <main id="main" className="lab-main" data-testid="lab" data-lesson-id={lesson.id} data-phase={lab.state.phase}>
        {session ? <SessionBar session={session} ports={ports} extend={lab.extend} end={lab.end} /> : null}
        {ready?.event ? <WatchersNotice sessionId={ready.id} /> : null}
        <SplitPane
          left={
            <LessonPanel
              lesson={lesson}
              languageNote={languageNote}
              initialProgress={initialProgress}
              sessionId={ready?.id ?? null}
              variables={variables}
              onDownload={download}
              classroom={
                ready?.event
                  ? ({ currentStep, goTo }) => (
                      <div className="lab-classroom" data-testid="lab-classroom">
                        <BroadcastBanner sessionId={ready.id} stepCount={lesson.steps.length} onGoToStep={goTo} />
                        <HelpRequestButton sessionId={ready.id} currentStep={currentStep} />
                      </div>
                    )
                  : undefined
              }
            />
          }
          right={
            ready ? (
              <TerminalArea
                sessionId={ready.id}
                nodes={nodes}
                onFilesDropped={uploadFiles}
                onDownload={download}
                onSessionClosed={lab.refresh}
              />
            ) : (
              <SessionStatePanel lab={lab} />
            )
          }
        />
      </main>
    </TerminalWorkspaceProvider>
  );
}
