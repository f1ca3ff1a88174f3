"use client";

import { ZAdminSettings, type TAdminSettingKey, type TAdminSettings } from "@kubelab/shared";
import { useRouter } from "next/navigation";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { settingsChanges, SETTING_GROUPS } from "@/lib/admin/settings-changes";
import { ApiError } from "@/lib/api/api-error";
import { apiRequest } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

const LIST_KEYS = new Set<TAdminSettingKey>(["NODE_IMAGES", "POOL_SIZES"]);

type Status = { kind: "idle" } | { kind: "saved" } | { kind: "unchanged" } | { kind: "error"; text: string };

/** The settings table: edit values, drop console values, save the changed ones in one PUT. */
export function SettingsForm({ initial }: { initial: TAdminSettings }) {
  const { dict } = useI18n();
  const t = dict.adminSettings;
  const router = useRouter();
  const [settings, setSettings] = useState(initial.settings);
  const [drafts, setDrafts] = useState<Partial<Record<TAdminSettingKey, string>>>({});
  const [resets, setResets] = useState<Set<TAdminSettingKey>>(new Set());
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const byKey = new Map(settings.map((s) => [s.key, s]));

  async function save(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const changes = settingsChanges(settings, drafts, resets);
    if (Object.keys(changes).length === 0) {
      setStatus({ kind: "unchanged" });
      return;
    }
    setBusy(true);
    setFieldErrors({});
    try {
      const saved = await apiRequest("PUT", "/api/admin/settings", ZAdminSettings, { body: changes });
      setSettings(saved.settings);
      setDrafts({});
      setResets(new Set());
      setStatus({ kind: "saved" });
      router.refresh();
    } catch (caught) {
      const details = caught instanceof ApiError ? caught.details : [];
      setFieldErrors(Object.fromEntries(details.map((d) => [d.path, d.message])));
      const fields = details.map((d) => d.path).join(", ");
      setStatus({ kind: "error", text: fields ? formatMessage(t.invalid, { fields }) : apiErrorText(caught, dict) });
    } finally {
      setBusy(false);
    }
  }

  function toggleReset(key: TAdminSettingKey): void {
    const next = new Set(resets);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setResets(next);
  }

  return (
    <form onSubmit={(event) => void save(event)} data-testid="settings-form" noValidate>
      {SETTING_GROUPS.map((group) => (
        <fieldset key={group.id} className="admin-settings-group">
          <legend>{t.groups[group.id]}</legend>
          <table className="admin-table">
            <tbody>
              {group.keys.map((key) => {
                const setting = byKey.get(key);
                if (!setting) return null;
                const inputId = `setting-${key}`;
                const error = fieldErrors[key];
                const fieldProps = {
                  id: inputId,
                  value: drafts[key] ?? setting.value,
                  disabled: busy || resets.has(key),
                  "aria-invalid": error ? true : undefined,
                  "aria-describedby": error ? `${inputId}-error` : undefined,
                  onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
                    setDrafts({ ...drafts, [key]: e.target.value }),
                  "data-testid": `setting-input-${key}`,
                };
                return (
                  <tr key={key} data-testid={`setting-row-${key}`}>
                    <th scope="row">
                      <label htmlFor={inputId}>{t.fields[key]}</label>
                      <div className="muted">
                        <code>{key}</code>
                      </div>
                    </th>
                    <td>
                      {/* Lists (images, pool sizes) get room for several entries. */}
                      {LIST_KEYS.has(key) ? (
                        <textarea rows={3} {...fieldProps} />
                      ) : (
                        <input type="text" {...fieldProps} />
                      )}
                      {error ? (
                        <p className="form-error" id={`${inputId}-error`}>
                          {error}
                        </p>
                      ) : null}
                    </td>
                    <td>
                      <span
                        className={setting.source === "console" ? "badge badge-warning" : "badge"}
                        data-testid={`setting-source-${key}`}
                        data-source={setting.source}
                      >
                        {t.sources[setting.source]}
                      </span>
                      <div className="muted">{formatMessage(t.fallback, { value: setting.fallback || "—" })}</div>
                    </td>
                    <td>
                      {setting.source === "console" ? (
                        <label className="admin-checkbox">
                          <input
                            type="checkbox"
                            checked={resets.has(key)}
                            disabled={busy}
                            onChange={() => toggleReset(key)}
                            data-testid={`setting-reset-${key}`}
                          />
                          {resets.has(key) ? formatMessage(t.resetPending, { value: setting.fallback }) : t.reset}
                        </label>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
      ))}
      <div className="admin-actions">
        <button type="submit" className="button" disabled={busy} data-testid="settings-save">
          {busy ? t.saving : t.save}
        </button>
        {status.kind === "saved" ? (
          <span role="status" data-testid="settings-saved">
            {t.saved}
          </span>
        ) : null}
        {status.kind === "unchanged" ? <span role="status">{t.noChanges}</span> : null}
        {status.kind === "error" ? (
          <p className="form-error" role="alert" data-testid="settings-error">
            {status.text}
          </p>
        ) : null}
      </div>
    </form>
  );
}
