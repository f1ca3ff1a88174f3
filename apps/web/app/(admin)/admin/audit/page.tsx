import { ZAuditList, ZAuditQuery, type TAuditEntry } from "@kubelab/shared";
import type { Metadata } from "next";
import Link from "next/link";
import { auditChanges, auditContext, type AuditValueLabels } from "@/lib/admin/audit-changes";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).adminAudit.title };
}

interface AuditPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

function first(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

// The form's datetime-local fields ("2026-12-02T17:30") are read as UTC, as the table shows times.
function utcInstant(local: string | undefined): string | undefined {
  if (!local || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return undefined;
  const date = new Date(`${local}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

type Dict = ReturnType<typeof getDictionary>["adminAudit"];

function ActorCell({ entry, dict }: { entry: TAuditEntry; dict: Dict }) {
  if (!entry.actor) return <>{dict.server}</>;
  const account = entry.actor.provider === "guest" ? entry.actor.provider : entry.actor.login;
  return (
    <>
      <strong>{entry.actor.name ?? dict.deletedUser}</strong>
      {account ? <div className="muted">{account}</div> : null}
    </>
  );
}

function ChangesCell({ entry, labels }: { entry: TAuditEntry; labels: AuditValueLabels }) {
  const changes = auditChanges(entry.detail, labels);
  if (changes.length === 0) return <>—</>;
  return (
    <ul className="audit-changes" data-testid="audit-changes">
      {changes.map((change) => (
        <li key={change.field}>
          <code>{change.field}</code>:{" "}
          {/* A creation or deletion has one side: its values alone read better than "— → value". */}
          {change.before === undefined || change.after === undefined ? (
            (change.after ?? change.before)
          ) : (
            <>
              <del>{change.before}</del> → <ins>{change.after}</ins>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export default async function AdminAuditPage({ searchParams }: AuditPageProps) {
  const params = await searchParams;
  // Only valid filters reach the API: a hand-edited URL shows everything rather than an error.
  const raw = {
    action: first(params.action),
    actor: first(params.actor),
    target: first(params.target),
    from: utcInstant(first(params.from)),
    to: utcInstant(first(params.to)),
    cursor: first(params.cursor),
  };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined && ZAuditQuery.shape[key as keyof typeof raw].safeParse(value).success)
      query.set(key, value);
  }
  const [result, locale] = await Promise.all([
    apiFetch(`/api/admin/audit?${query.toString()}`, ZAuditList),
    getLocale(),
  ]);
  if (!result.ok) throw result.error;
  const dict = getDictionary(locale).adminAudit;
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
  const labels: AuditValueLabels = { none: dict.none, yes: dict.yes, no: dict.no, instant: (d) => dates.format(d) };
  const filters = new URLSearchParams();
  for (const key of ["action", "actor", "target", "from", "to"] as const) {
    const value = first(params[key]);
    if (value) filters.set(key, value);
  }
  const next = new URLSearchParams(filters);
  if (result.data.nextCursor) next.set("cursor", result.data.nextCursor);
  const actionName = (code: string) => dict.actions[code] ?? code;
  return (
    <>
      <h1>{dict.title}</h1>
      <p className="muted">{formatMessage(dict.lead, { variable: "AUDIT_RETENTION" })}</p>
      <form className="admin-filters" method="get" role="search" data-testid="audit-filters">
        <label>
          {dict.action}
          <select name="action" defaultValue={first(params.action) ?? ""}>
            <option value="">{dict.anyAction}</option>
            {Object.keys(dict.actions).map((code) => (
              <option key={code} value={code}>
                {actionName(code)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {dict.actor}
          <input type="search" name="actor" defaultValue={first(params.actor)} placeholder={dict.actorPlaceholder} />
        </label>
        <label>
          {dict.target}
          <input type="search" name="target" defaultValue={first(params.target)} placeholder={dict.targetPlaceholder} />
        </label>
        <label>
          {dict.from}
          <input type="datetime-local" name="from" defaultValue={first(params.from)} />
        </label>
        <label>
          {dict.to}
          <input type="datetime-local" name="to" defaultValue={first(params.to)} />
        </label>
        <button type="submit" className="button">
          {dict.filter}
        </button>
        {filters.size > 0 ? <Link href="/admin/audit">{dict.clear}</Link> : null}
      </form>
      {result.data.entries.length === 0 ? (
        <p className="notice" data-testid="audit-empty">
          {dict.noEntries}
        </p>
      ) : (
        <table className="admin-table" data-testid="audit-entries">
          <thead>
            <tr>
              <th scope="col">{dict.time}</th>
              <th scope="col">{dict.actor}</th>
              <th scope="col">{dict.action}</th>
              <th scope="col">{dict.target}</th>
              <th scope="col">{dict.changes}</th>
              <th scope="col">{dict.detail}</th>
              <th scope="col">{dict.clientAddress}</th>
            </tr>
          </thead>
          <tbody>
            {result.data.entries.map((entry) => (
              <tr key={entry.id} data-testid="audit-row" data-action={entry.action} data-entry-id={entry.id}>
                <td>
                  <time dateTime={entry.createdAt}>{dates.format(new Date(entry.createdAt))}</time>
                </td>
                <td>
                  <ActorCell entry={entry} dict={dict} />
                </td>
                <td>
                  {actionName(entry.action)}
                  <div className="muted">
                    <code>{entry.action}</code>
                  </div>
                </td>
                <td>
                  <code>{entry.targetType}</code> <span className="audit-target-id">{entry.targetId}</span>
                </td>
                <td>
                  <ChangesCell entry={entry} labels={labels} />
                </td>
                <td>
                  {auditContext(entry.detail, labels).map(([key, value]) => (
                    <div key={key} className="muted">
                      {key}: {value}
                    </div>
                  ))}
                </td>
                <td data-testid="audit-client-address">{entry.clientAddress ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.data.nextCursor ? (
        <p>
          <Link href={`/admin/audit?${next.toString()}`} data-testid="audit-next-page">
            {dict.nextPage}
          </Link>
        </p>
      ) : null}
    </>
  );
}
