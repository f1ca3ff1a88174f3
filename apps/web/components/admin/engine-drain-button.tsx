"use client";

import { ZAdminEngineList } from "@kubelab/shared";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

/** Drains an engine (after a confirmation) or lifts its drain; the server page re-renders after. */
export function EngineDrainButton({ name, draining, sessions }: { name: string; draining: boolean; sessions: number }) {
  const { dict } = useI18n();
  const t = dict.adminEngines;
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function toggle(): Promise<void> {
    if (!draining && !window.confirm(formatMessage(t.drainConfirm, { name, count: sessions }))) return;
    setBusy(true);
    setError(null);
    try {
      await apiRequest("PUT", `/api/admin/engines/${encodeURIComponent(name)}`, ZAdminEngineList, {
        body: { draining: !draining },
      });
      router.refresh();
    } catch (caught) {
      setError(apiErrorText(caught, dict));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="admin-actions">
      <button
        type="button"
        className={draining ? "button button-small" : "button button-small button-danger"}
        disabled={busy}
        onClick={() => void toggle()}
        data-testid={draining ? "engine-undrain" : "engine-drain"}
      >
        {draining ? t.undrain : t.drain}
      </button>
      {error ? (
        <span role="alert" className="form-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}
