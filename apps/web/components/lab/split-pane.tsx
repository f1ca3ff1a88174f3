"use client";

import {
  useEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type PointerEvent,
  type ReactNode,
} from "react";
import { useI18n } from "@/lib/i18n/i18n-provider";

const STORAGE_KEY = "kubelab.splitPercent";
const MIN = 20;
const MAX = 75;
const DEFAULT = 40;
const KEY_STEP = 2;

const clamp = (value: number) => Math.min(MAX, Math.max(MIN, value));

/**
 * Two panes with a draggable, keyboard-operable separator (WAI-ARIA window
 * splitter). The left width is a percentage, remembered in localStorage.
 */
export function SplitPane({ left, right }: { left: ReactNode; right: ReactNode }) {
  const { dict } = useI18n();
  const [percent, setPercent] = useState(DEFAULT);
  const containerRef = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);

  // Read after hydration: the server cannot know the stored width.
  useEffect(() => {
    const stored = Number(localStorage.getItem(STORAGE_KEY));
    if (stored) setPercent(clamp(stored));
  }, []);

  function commit(next: number): void {
    const value = clamp(Math.round(next * 10) / 10);
    setPercent(value);
    try {
      localStorage.setItem(STORAGE_KEY, String(value));
    } catch {
      // Not remembered, still applied.
    }
  }

  function onPointerDown(event: PointerEvent<HTMLDivElement>): void {
    dragging.current = true;
    event.currentTarget.setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  function onPointerMove(event: PointerEvent<HTMLDivElement>): void {
    const box = containerRef.current?.getBoundingClientRect();
    if (!dragging.current || !box || box.width === 0) return;
    commit(((event.clientX - box.left) / box.width) * 100);
  }

  function onPointerUp(event: PointerEvent<HTMLDivElement>): void {
    dragging.current = false;
    event.currentTarget.releasePointerCapture(event.pointerId);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const next = {
      ArrowLeft: percent - KEY_STEP,
      ArrowRight: percent + KEY_STEP,
      Home: MIN,
      End: MAX,
      Enter: DEFAULT,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    commit(next);
  }

  return (
    <div className="split-pane" ref={containerRef} style={{ "--split-left": `${percent}%` } as CSSProperties}>
      <div className="split-pane-side" id="lesson-pane">
        {left}
      </div>
      <div
        className="split-pane-handle"
        role="separator"
        tabIndex={0}
        aria-orientation="vertical"
        aria-controls="lesson-pane"
        aria-label={dict.lab.resizeSplit}
        aria-valuemin={MIN}
        aria-valuemax={MAX}
        aria-valuenow={Math.round(percent)}
        data-testid="split-handle"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
      />
      <div className="split-pane-side">{right}</div>
    </div>
  );
}
