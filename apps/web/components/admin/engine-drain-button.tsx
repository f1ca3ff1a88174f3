"use client";

import { ZAdminEngineList } from "@kubelab/shared";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useRefreshingAction } from "@/lib/ui/use-refreshing-action";

/** Drains an engine (after a confirmation) or lifts its drain; the server page re-renders after. */
export function EngineDrainButton({ name, draining, sessions }: { name: string; draining: boolean; sessions: number }) {
  const { dict } = useI18n();
  const t = dict.adminEngines;
  const { busy, error, run } = useRefreshingAction();

  function toggle(): void {
    if (!draining && !window.confirm(formatMessage(t.drainConfirm, { name, count: sessions }))) return;
    void run(() =>
      apiRequest("PUT", `/api/admin/engines/${encodeURIComponent(name)}`, ZAdminEngineList, {
        body: { draining: !draining },
      }),
    );
  }

  return (
    <div className="admin-actions">
      <button
        type="button"
        className={draining ? "button button-small" : "button button-small button-danger"}
        disabled={busy}
        onClick={toggle}
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
