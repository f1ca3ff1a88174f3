"use client";

import { ZTakeoverSetting } from "@kubelab/shared";
import { useEffect, useState, useSyncExternalStore } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useToast } from "@/components/ui/toast-provider";
import { sessionWatchers } from "@/lib/terminal/session-watchers";

/**
 * On an event attendee's lab page: who of the instructors is watching (or typing in) their
 * terminals, from the terminals' `watchers` messages, and the "Allow take-over" switch
 * (PUT /api/sessions/:id/takeover). Shown while someone watches or take-over is allowed, so the
 * attendee can always turn it off again.
 */
export function WatchersNotice({ sessionId }: { sessionId: string }) {
  const { dict } = useI18n();
  const t = dict.watch.notice;
  const watchers = useSyncExternalStore(
    (listener) => sessionWatchers.subscribe(listener),
    () => sessionWatchers.get(sessionId),
    () => sessionWatchers.get(sessionId),
  );
  const [allowed, setAllowed] = useState<boolean | null>(null);
  const [saving, setSaving] = useState(false);
  const toast = useToast();

  useEffect(() => {
    const controller = new AbortController();
    apiRequest("GET", `/api/sessions/${encodeURIComponent(sessionId)}/takeover`, ZTakeoverSetting, {
      signal: controller.signal,
    })
      .then((setting) => setAllowed(setting.allowed))
      .catch(() => undefined);
    return () => controller.abort();
  }, [sessionId]);

  async function change(next: boolean): Promise<void> {
    // Shown at once; put back if the server refuses.
    const before = allowed;
    setAllowed(next);
    setSaving(true);
    try {
      const setting = await apiRequest(
        "PUT",
        `/api/sessions/${encodeURIComponent(sessionId)}/takeover`,
        ZTakeoverSetting,
        {
          body: { allowed: next },
        },
      );
      setAllowed(setting.allowed);
    } catch (failure) {
      setAllowed(before);
      toast.show("error", apiErrorText(failure, dict));
    } finally {
      setSaving(false);
    }
  }

  if (watchers.length === 0 && !allowed) return null;
  return (
    <div className="watchers-notice" data-testid="watchers-notice">
      <ul className="watchers-list" aria-live="polite">
        {watchers.map((watcher) => (
          <li key={watcher.name} data-testid="watcher" data-typing={watcher.typing}>
            {formatMessage(watcher.typing ? t.typing : t.watching, { name: watcher.name })}
          </li>
        ))}
      </ul>
      <label className="watchers-switch" title={t.allowHint}>
        <input
          type="checkbox"
          role="switch"
          checked={allowed ?? false}
          disabled={saving || allowed === null}
          onChange={(event) => void change(event.target.checked)}
          data-testid="allow-takeover"
        />
        {t.allow}
      </label>
    </div>
  );
}
