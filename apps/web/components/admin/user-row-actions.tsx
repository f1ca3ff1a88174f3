"use client";

import { ZAdminUser, ZUserRole, type TAdminUser, type TUserRole } from "@kubelab/shared";
import { useId } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useRefreshingAction } from "@/lib/ui/use-refreshing-action";

/** Role picker and ban switch of one user row; the server re-renders the table after each change. */
export function UserRowActions({ user, isSelf }: { user: TAdminUser; isSelf: boolean }) {
  const { dict } = useI18n();
  const { busy, error, run } = useRefreshingAction();
  const selectId = useId();

  function change(body: { role?: TUserRole; banned?: boolean }): Promise<void> {
    return run(() => apiRequest("PATCH", `/api/admin/users/${user.id}`, ZAdminUser, { body }));
  }

  function toggleBan(): void {
    // A ban ends the person's lab right now; an accidental click must not do that.
    if (!user.bannedAt && !window.confirm(formatMessage(dict.admin.banConfirm, { name: user.name }))) return;
    void change({ banned: !user.bannedAt });
  }

  // Admins cannot demote or ban themselves (the API refuses too), so nobody locks the last admin out.
  if (isSelf) return <span className="muted">{dict.admin.roles[user.role]}</span>;
  return (
    <div className="admin-actions">
      <label htmlFor={selectId} className="visually-hidden">
        {formatMessage(dict.admin.roleOf, { name: user.name })}
      </label>
      <select
        id={selectId}
        value={user.role}
        disabled={busy}
        onChange={(event) => void change({ role: ZUserRole.parse(event.target.value) })}
        data-testid="admin-role-select"
      >
        {ZUserRole.options.map((r) => (
          <option key={r} value={r}>
            {dict.admin.roles[r]}
          </option>
        ))}
      </select>
      {user.bannedAt ? (
        <span className="badge badge-danger" data-testid="admin-banned-badge">
          {dict.admin.banned}
        </span>
      ) : null}
      <button
        type="button"
        className={user.bannedAt ? "button button-small" : "button button-small button-danger"}
        disabled={busy}
        onClick={toggleBan}
        data-testid={user.bannedAt ? "admin-unban" : "admin-ban"}
      >
        {user.bannedAt ? dict.admin.unban : dict.admin.ban}
      </button>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
