"use client";

import { ZAdminUser, type TAdminUser } from "@kubelab/shared";
import { useId, useState, type FormEvent } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useRefreshingAction } from "@/lib/ui/use-refreshing-action";

/** A user's own sessions quota (empty: the role's, from the settings page); applies from their next create. */
export function UserQuota({ user }: { user: TAdminUser }) {
  const { dict } = useI18n();
  const t = dict.adminSettings;
  const inputId = useId();
  const [value, setValue] = useState(user.maxSessions === null ? "" : String(user.maxSessions));
  const { busy, error, run } = useRefreshingAction();

  function save(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const maxSessions = value.trim() === "" ? null : Number(value);
    void run(() => apiRequest("PATCH", `/api/admin/users/${user.id}`, ZAdminUser, { body: { maxSessions } }));
  }

  return (
    <form className="admin-actions" onSubmit={save} data-testid="admin-user-quota">
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
