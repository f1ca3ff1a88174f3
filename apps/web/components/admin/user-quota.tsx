"use client";

import { ZAdminUser, type TAdminUser } from "@kubelab/shared";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";

/** A user's own sessions quota (empty: the role's, from the settings page); applies from their next create. */
export function UserQuota({ user }: { user: TAdminUser }) {
  const { dict } = useI18n();
  const t = dict.adminSettings;
  const router = useRouter();
  const inputId = useId();
  const [value, setValue] = useState(user.maxSessions === null ? "" : String(user.maxSessions));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const maxSessions = value.trim() === "" ? null : Number(value);
      await apiRequest("PATCH", `/api/admin/users/${user.id}`, ZAdminUser, { body: { maxSessions } });
      router.refresh();
    } catch (caught) {
      setError(apiErrorText(caught, dict));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="admin-actions" onSubmit={(event) => void save(event)} data-testid="admin-user-quota">
      <label htmlFor={inputId} className="visually-hidden">
        {formatMessage(t.userQuotaOf, { name: user.name })}
      </label>
      <input
        id={inputId}
        type="number"
        min={1}
        max={1000}
        className="admin-quota-input"
        value={value}
        placeholder={t.userQuotaRole}
        disabled={busy}
        onChange={(event) => setValue(event.target.value)}
        data-testid="admin-user-quota-input"
      />
      <button type="submit" className="button button-small" disabled={busy} data-testid="admin-user-quota-save">
        {t.userQuotaSave}
      </button>
      <p className="form-error" role="alert" hidden={error === null}>
        {error}
      </p>
    </form>
  );
}
