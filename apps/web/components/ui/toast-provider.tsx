"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { CloseIcon } from "./icons";

export type ToastKind = "info" | "success" | "error";

interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  /** 0-100 for uploads; the toast stays until updated or dismissed. */
  progress?: number;
}

type ToastPatch = Partial<Omit<Toast, "id">>;

interface ToastApi {
  show: (kind: ToastKind, message: string, options?: { progress?: number }) => number;
  update: (id: number, patch: ToastPatch) => void;
  dismiss: (id: number) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

// Errors stay longer: they usually carry the server's explanation.
const LIFETIME_MS: Record<ToastKind, number> = { info: 5_000, success: 5_000, error: 12_000 };

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  // Per toast: the text its timer was started for, so an update restarts the clock.
  const timers = useRef(new Map<number, { text: string; timer: ReturnType<typeof setTimeout> }>());

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const api = useMemo<ToastApi>(
    () => ({
      show(kind, message, options) {
        const id = nextId.current++;
        // Keep the list short: at most five toasts on screen.
        setToasts((current) => [...current.slice(-4), { id, kind, message, progress: options?.progress }]);
        return id;
      },
      update(id, patch) {
        setToasts((current) => current.map((toast) => (toast.id === id ? { ...toast, ...patch } : toast)));
      },
      dismiss,
    }),
    [dismiss],
  );

  // Toasts without progress disappear by themselves; a progress toast waits for its final update.
  useEffect(() => {
    const live = new Set(toasts.map((toast) => toast.id));
    for (const [id, entry] of timers.current) {
      if (!live.has(id)) {
        clearTimeout(entry.timer);
        timers.current.delete(id);
      }
    }
    for (const toast of toasts) {
      const existing = timers.current.get(toast.id);
      const text = `${toast.kind}:${toast.message}:${toast.progress ?? ""}`;
      if (existing?.text === text) continue;
      if (existing) clearTimeout(existing.timer);
      timers.current.delete(toast.id);
      if (toast.progress !== undefined) continue;
      timers.current.set(toast.id, { text, timer: setTimeout(() => dismiss(toast.id), LIFETIME_MS[toast.kind]) });
    }
  }, [toasts, dismiss]);

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((entry) => clearTimeout(entry.timer));
  }, []);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <ToastList toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

function ToastList({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  const { dict } = useI18n();
  return (
    <div className="toast-list" aria-live="polite" aria-relevant="additions text">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className={`toast toast-${toast.kind}`}
          role={toast.kind === "error" ? "alert" : "status"}
          data-testid="toast"
          data-kind={toast.kind}
        >
          <p className="toast-message">{toast.message}</p>
          {toast.progress !== undefined ? (
            <progress max={100} value={toast.progress} aria-label={toast.message} />
          ) : null}
          <button
            type="button"
            className="icon-button"
            onClick={() => onDismiss(toast.id)}
            aria-label={dict.common.dismiss}
          >
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast must be used inside <ToastProvider>");
  return api;
}
