"use client";

import type { TTerminalWatchState } from "@kubelab/shared";
import type { Terminal } from "@xterm/xterm";
import { useEffect, useRef, useState, type RefObject } from "react";
import { terminalBufferText } from "@/lib/terminal/buffer-text";
import { sessionWatchers } from "@/lib/terminal/session-watchers";
import { TerminalConnection, type ConnectionState } from "@/lib/terminal/terminal-connection";
import { TERMINAL_FONT_SIZE, TERMINAL_THEMES } from "@/lib/terminal/terminal-themes";
import type { TerminalHandle } from "./terminal-workspace";
import { useTerminalAppearance } from "./use-terminal-appearance";

interface TerminalSessionOptions {
  sessionId: string;
  node: string;
  terminalId: string;
  /** Where xterm draws. */
  containerRef: RefObject<HTMLDivElement | null>;
  /** Hidden plain-text copy of the screen, for tests and tools. */
  mirrorRef: RefObject<HTMLPreElement | null>;
  onState: (state: ConnectionState) => void;
  onHandle: (handle: TerminalHandle | null) => void;
  /**
   * Watch this event's attendee instead (the watch page): read-only, the keyboard works only while
   * a take-over holds. Watch states and server errors go to the callbacks.
   */
  watchEventId?: string;
  onWatch?: (state: TTerminalWatchState) => void;
  onServerError?: (code: string, message: string) => void;
}

const MIRROR_THROTTLE_MS = 150;

/**
 * One xterm.js instance wired to one TerminalConnection. xterm is imported
 * lazily (it needs the DOM), so everything after the import checks `disposed`:
 * the component may have unmounted while the chunk was loading.
 */
export function useTerminalSession(options: TerminalSessionOptions): {
  state: ConnectionState;
  restart: () => void;
  /** Watchers: ask to type (the answer comes through onWatch). */
  takeover: () => boolean;
} {
  const { sessionId, node, terminalId, containerRef, mirrorRef, watchEventId } = options;
  const { theme, textSize, gapNotice } = useTerminalAppearance();
  const [state, setState] = useState<ConnectionState>({ status: "connecting" });
  const termRef = useRef<Terminal | null>(null);
  const connectionRef = useRef<TerminalConnection | null>(null);
  const fitRef = useRef<(() => void) | null>(null);
  // Latest callbacks and appearance without re-creating the terminal when they change.
  const latest = useRef({ ...options, theme, textSize, gapNotice });
  useEffect(() => {
    latest.current = { ...options, theme, textSize, gapNotice };
  });

  useEffect(() => {
    let disposed = false;
    const cleanups: Array<() => void> = [];

    async function start(): Promise<void> {
      const [{ Terminal }, { FitAddon }, { WebLinksAddon }] = await Promise.all([
        import("@xterm/xterm"),
        import("@xterm/addon-fit"),
        import("@xterm/addon-web-links"),
      ]);
      const container = containerRef.current;
      if (disposed || !container) return;

      const { theme, textSize } = latest.current;
      const term = new Terminal({
        cursorBlink: true,
        scrollback: 5000,
        fontFamily: getComputedStyle(document.documentElement).getPropertyValue("--font-mono").trim() || "monospace",
        fontSize: TERMINAL_FONT_SIZE[textSize],
        theme: TERMINAL_THEMES[theme],
        // Keystrokes would be lost until the shell is attached.
        disableStdin: true,
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.loadAddon(new WebLinksAddon());
      term.open(container);
      termRef.current = term;
      cleanups.push(() => term.dispose());

      const fitIfVisible = () => {
        // A hidden tab has no size; fitting it would shrink the TTY to 2x1.
        if (container.offsetWidth > 0 && container.offsetHeight > 0) fit.fit();
      };
      fitIfVisible();
      fitRef.current = fitIfVisible;

      let mirrorTimer: ReturnType<typeof setTimeout> | undefined;
      const updateMirror = () => {
        if (mirrorTimer !== undefined) return;
        mirrorTimer = setTimeout(() => {
          mirrorTimer = undefined;
          if (!disposed && mirrorRef.current) mirrorRef.current.textContent = terminalBufferText(term);
        }, MIRROR_THROTTLE_MS);
      };
      cleanups.push(() => clearTimeout(mirrorTimer));
      term.onWriteParsed(updateMirror);

      // Watchers type only while a take-over holds; the server refuses anything else anyway.
      let typing = !watchEventId;
      let connected = false;
      const updateStdin = () => (term.options.disableStdin = !(connected && typing));
      const connection = new TerminalConnection(
        { sessionId, node, terminalId, ...(watchEventId ? { watchEventId } : {}) },
        {
          onOutput: (bytes) => term.write(bytes),
          onReset: () => {
            term.reset();
            updateMirror();
          },
          onGap: (lostBytes) => term.write(`\r\n\x1b[2m${latest.current.gapNotice(lostBytes)}\x1b[0m\r\n`),
          onState: (next) => {
            connected = next.status === "connected";
            updateStdin();
            setState(next);
            latest.current.onState(next);
          },
          onWatch: (watch) => {
            typing = watch.typing;
            updateStdin();
            latest.current.onWatch?.(watch);
          },
          onWatchers: (message) => sessionWatchers.publish(sessionId, message.watchers),
          ...(latest.current.onServerError
            ? { onServerError: (code: string, message: string) => latest.current.onServerError?.(code, message) }
            : {}),
        },
        { cols: term.cols, rows: term.rows },
      );
      connectionRef.current = connection;
      cleanups.push(() => connection.dispose());

      term.onData((data) => connection.send(data));
      term.onBinary((data) => connection.send(data, "binary"));
      term.onResize(({ cols, rows }) => connection.resize(cols, rows));

      let frame = 0;
      const observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(fitIfVisible);
      });
      observer.observe(container);
      cleanups.push(() => {
        cancelAnimationFrame(frame);
        observer.disconnect();
      });

      const onOnline = () => connection.reconnectNow();
      window.addEventListener("online", onOnline);
      cleanups.push(() => window.removeEventListener("online", onOnline));

      latest.current.onHandle({
        sendText: (text) => connection.send(text),
        focus: () => term.focus(),
      });
      cleanups.push(() => latest.current.onHandle(null));

      latest.current.onState({ status: "connecting" });
      connection.connect();
    }

    start().catch((error: unknown) => console.error("terminal failed to start", error));
    return () => {
      disposed = true;
      termRef.current = null;
      connectionRef.current = null;
      fitRef.current = null;
      for (const cleanup of cleanups.reverse()) cleanup();
    };
  }, [sessionId, node, terminalId, containerRef, mirrorRef, watchEventId]);

  // Appearance changes apply to the running terminal; a new font size changes how many cells fit.
  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    term.options.theme = TERMINAL_THEMES[theme];
    term.options.fontSize = TERMINAL_FONT_SIZE[textSize];
    fitRef.current?.();
  }, [theme, textSize]);

  return {
    state,
    restart: () => connectionRef.current?.restart(),
    takeover: () => connectionRef.current?.takeover() ?? false,
  };
}
