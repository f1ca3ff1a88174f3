"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useI18n } from "@/lib/i18n/i18n-provider";

export interface RefreshingAction {
  /** An action is running: its controls are disabled. */
  busy: boolean;
  /** The last action's error, translated (null after a success or while the next one runs). */
  error: string | null;
  /** Runs `action`, then re-renders the server page, which shows the new state. */
  run: (action: () => Promise<unknown>) => Promise<void>;
}

/**
 * The state of a control on a server-rendered page that calls the API and then shows the result by
 * re-rendering the page (admin tables, the engines page): busy while it runs, the API's error in
 * the user's language when it fails. `describe` wraps the error text (e.g. "Could not end: …").
 */
export function useRefreshingAction(describe?: (message: string) => string): RefreshingAction {
  const { dict } = useI18n();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(
    async (action: () => Promise<unknown>): Promise<void> => {
      setBusy(true);
      setError(null);
      try {
        await action();
        router.refresh();
      } catch (caught) {
        const message = apiErrorText(caught, dict);
        setError(describe ? describe(message) : message);
      } finally {
        setBusy(false);
      }
    },
    [describe, dict, router],
  );

  return { busy, error, run };
}
