"use client";

import type { TRoomHelpRequest } from "@kubelab/shared";
import { useCallback, useEffect, useRef, useState } from "react";
import { newHelpIds } from "@/lib/room/roster";

const MUTE_KEY = "kubelab.room.muted";
/** How long a new request stays highlighted. */
const HIGHLIGHT_MS = 10_000;

/** A short two-tone beep through Web Audio (no sound file to load). */
function beep(context: AudioContext): void {
  const start = context.currentTime;
  for (const [offset, frequency] of [
    [0, 880],
    [0.18, 1175],
  ] as const) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.17);
  }
}

export interface HelpNotice {
  /** Requests that arrived while the page was open, highlighted for a few seconds. */
  fresh: ReadonlySet<string>;
  muted: boolean;
  setMuted: (muted: boolean) => void;
  /** How many times the page beeped (not muted): shown as a data attribute for tests. */
  beeps: number;
}

/**
 * The help queue's visible and audible notice: each request that arrives while the page is open
 * (not those already there when it opened) is highlighted and, unless muted, beeps. Browsers only
 * let a page play sound after the user interacted with it; the audio context is made then.
 */
export function useHelpNotice(help: readonly TRoomHelpRequest[] | null): HelpNotice {
  const seen = useRef<Set<string> | null>(null);
  const audio = useRef<AudioContext | null>(null);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [muted, setMutedState] = useState(false);
  const [beeps, setBeeps] = useState(0);
  // Un-highlight timers: kept across room messages (each one brings a new `help` array).
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  useEffect(() => {
    setMutedState(window.localStorage.getItem(MUTE_KEY) === "1");
    const unlock = (): void => {
      if (!audio.current && typeof AudioContext !== "undefined") audio.current = new AudioContext();
      void audio.current?.resume().catch(() => undefined);
    };
    window.addEventListener("pointerdown", unlock);
    window.addEventListener("keydown", unlock);
    const pending = timers.current;
    return () => {
      for (const timer of pending) clearTimeout(timer);
      window.removeEventListener("pointerdown", unlock);
      window.removeEventListener("keydown", unlock);
      void audio.current?.close().catch(() => undefined);
      audio.current = null;
    };
  }, []);

  const setMuted = useCallback((value: boolean) => {
    setMutedState(value);
    window.localStorage.setItem(MUTE_KEY, value ? "1" : "0");
  }, []);

  const mutedRef = useRef(muted);
  useEffect(() => {
    mutedRef.current = muted;
  }, [muted]);

  useEffect(() => {
    if (!help) return;
    const added = newHelpIds(seen.current, help);
    seen.current = new Set(help.map((h) => h.id));
    if (added.length === 0) return;
    setFresh((previous) => new Set([...previous, ...added]));
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setFresh((previous) => new Set([...previous].filter((id) => !added.includes(id))));
    }, HIGHLIGHT_MS);
    timers.current.add(timer);
    if (!mutedRef.current) {
      setBeeps((n) => n + 1);
      if (audio.current?.state === "running") beep(audio.current);
    }
  }, [help]);

  return { fresh, muted, setMuted, beeps };
}
