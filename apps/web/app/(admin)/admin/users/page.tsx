import { ZAdminUserList, ZUserRole } from "@kubelab/shared";
import type { Metadata } from "next";
import Link from "next/link";
import { UserQuota } from "@/components/admin/user-quota";
import { UserRowActions } from "@/components/admin/user-row-actions";
import { Avatar } from "@/components/ui/avatar";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";
import { firstParam as first } from "@/lib/server/search-params";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).admin.usersTitle };
}

interface UsersPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function AdminUsersPage({ searchParams }: UsersPageProps) {
  const params = await searchParams;
  const q = first(params.q)?.slice(0, 100);
  const role = ZUserRole.safeParse(first(params.role)).data;
  const banned = first(params.banned) === "true" ? "true" : undefined;
  const cursor = first(params.cursor);
  const query = new URLSearchParams();
  if (q) query.set("q", q);
  if (role) query.set("role", role);
  if (banned) query.set("banned", banned);
  if (cursor) query.set("cursor", cursor);
  const [result, me, locale] = await Promise.all([
    apiFetch(`/api/admin/users?${query.toString()}`, ZAdminUserList),
    getCurrentUser(),
    getLocale(),
  ]);
  if (!result.ok) throw result.error;
  const dict = getDictionary(locale);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const next = new URLSearchParams(query);
  if (result.data.nextCursor) next.set("cursor", result.data.nextCursor);
  return (
    <>
      <h1>{dict.admin.usersTitle}</h1>
      <form className="admin-filters" method="get" role="search" data-testid="admin-user-search">
        <label>
          {dict.admin.search}
          <input type="search" name="q" defaultValue={q} placeholder={dict.admin.searchPlaceholder} />
        </label>
        <label>
          {dict.admin.role}
          <select name="role" defaultValue={role ?? ""}>
            <option value="">{dict.admin.anyRole}</option>
            {ZUserRole.options.map((r) => (
              <option key={r} value={r}>
                {dict.admin.roles[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="admin-checkbox">
          <input type="checkbox" name="banned" value="true" defaultChecked={banned === "true"} />
          {dict.admin.bannedOnly}
        </label>
        <button type="submit" className="button">
          {dict.admin.filter}
        </button>
      </form>
      {result.data.users.length === 0 ? (
        <p className="notice" data-testid="admin-no-users">
          {dict.admin.noUsers}
        </p>
      ) : (
        <table className="admin-table" data-testid="admin-users">
          <thead>
            <tr>
              <th scope="col">{dict.admin.user}</th>
              <th scope="col">{dict.admin.account}</th>
              <th scope="col">{dict.admin.lastLogin}</th>
              <th scope="col">{dict.admin.sessions}</th>
              <th scope="col">{dict.adminSettings.userQuota}</th>
              <th scope="col">{dict.admin.roleAndAccess}</th>
            </tr>
          </thead>
          <tbody>
            {result.data.users.map((user) => (
              <tr key={user.id} data-testid="admin-user-row" data-user-id={user.id} data-login={user.login ?? ""}>
                <td>
                  <div className="admin-user-name">
                    <Avatar url={user.avatarUrl} size={32} />
                    <div>
                      <strong>{user.name}</strong>
                      {user.email ? <div className="muted">{user.email}</div> : null}
                    </div>
                  </div>
                </td>
                <td>
                  {/* A guest's provider id is a random uuid: nothing an admin can recognise. */}
                  <code>{user.provider}</code> {user.provider === "guest" ? null : (user.login ?? user.providerId)}
                </td>
                <td>{user.lastLoginAt ? dates.format(new Date(user.lastLoginAt)) : "—"}</td>
                <td>{user.activeSessions}</td>
                <td>
                  <UserQuota user={user} />
                </td>
                <td>
                  <UserRowActions user={user} isSelf={user.id === me?.id} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.data.nextCursor ? (
        <p>
          <Link href={`/admin/users?${next.toString()}`} data-testid="admin-next-page">
            {dict.admin.nextPage}
          </Link>
        </p>
      ) : null}
      <p className="muted">{formatMessage(dict.admin.bootstrapHint, { variable: "ADMINS" })}</p>
    </>
  );
}
