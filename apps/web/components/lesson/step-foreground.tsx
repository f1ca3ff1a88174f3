"use client";

import type { TLessonStep } from "@kubelab/shared";
import { useEffect } from "react";
import { useNodeTerminalStatus, useTerminalActions } from "@/components/terminal/terminal-workspace";
import { blockTerminalInput } from "@/lib/lab/block-input";
import { fillVariables, type LessonVariableValues } from "@/lib/lab/lesson-variables";
import { claimStepForeground } from "@/lib/lab/step-foreground";

interface StepForegroundProps {
  sessionId: string | null;
  step: TLessonStep;
  variables: LessonVariableValues;
}

/**
 * Types a step's foreground command (Killercoda's foreground.sh) into its node's terminal the first
 * time the step is open with that terminal connected, once per session (a reload does not repeat it).
 */
export function StepForeground({ sessionId, step, variables }: StepForegroundProps) {
  const foreground = step.foreground;
  const status = useNodeTerminalStatus(foreground?.node ?? "");
  const { typeIntoNode } = useTerminalActions();
  const connected = status === "connected";
  useEffect(() => {
    if (!foreground || !sessionId || !connected) return;
    let store: Storage | null = null;
    try {
      store = window.sessionStorage;
    } catch {
      // Storage disabled: typed once per page load (the claim below falls back to memory).
    }
    if (!claimStepForeground(store ?? memoryStore, sessionId, step.index)) return;
    const input = blockTerminalInput({ mode: "run", command: fillVariables(foreground.command, variables) });
    typeIntoNode(foreground.node, input);
  }, [foreground, sessionId, connected, step.index, variables, typeIntoNode]);
  return null;
}

const memory = new Map<string, string>();
const memoryStore = {
  getItem: (key: string) => memory.get(key) ?? null,
  setItem: (key: string, value: string) => void memory.set(key, value),
};
