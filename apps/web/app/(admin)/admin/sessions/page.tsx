import { ADMIN_SESSION_SORTS, ZAdminSessionList, ZSessionStatus, type TNodeUsage } from "@kubelab/shared";
import type { Metadata } from "next";
import { AdminSessionActions } from "@/components/admin/admin-session-actions";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";
import { formatBytes } from "@/lib/ui/format-bytes";
import { formatDuration } from "@/lib/ui/format-duration";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).adminSessions.title };
}

interface SessionsPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

function first(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

const REFRESH_SECONDS = 5;

// Every session not ended, with its nodes' latest samples (taken by the server on its own timer, so
// this page costs the engine nothing); a client leaf refreshes it every few seconds.
export default async function AdminSessionsPage({ searchParams }: SessionsPageProps) {
  const params = await searchParams;
  const q = first(params.q)?.slice(0, 100);
  const status = ZSessionStatus.safeParse(first(params.status)).data;
  const sort = ADMIN_SESSION_SORTS.find((s) => s === first(params.sort)) ?? "age";
  const query = new URLSearchParams({ sort });
  if (q) query.set("q", q);
  if (status) query.set("status", status);
  const [result, locale] = await Promise.all([
    apiFetch(`/api/admin/sessions?${query.toString()}`, ZAdminSessionList),
    getLocale(),
  ]);
  if (!result.ok) throw result.error;
  const t = getDictionary(locale).adminSessions;
  const { sessions, host } = result.data;
  const now = Date.now();
  const bytes = (value: number | null) => (value === null ? t.unknown : formatBytes(value, locale));
  const time = (iso: string) => new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const nodeCell = (node: TNodeUsage) => (
    <li
      key={node.name}
      data-testid="admin-session-node"
      data-node={node.name}
      data-memory-bytes={node.memoryBytes ?? ""}
      data-cpu-percent={node.cpuPercent ?? ""}
      data-disk-bytes={node.diskBytes ?? ""}
    >
      <strong>{node.name}</strong>{" "}
      {node.memoryBytes === null ? (
        <span className="muted">{t.notSampled}</span>
      ) : (
        <>
          {formatMessage(t.cpu, { value: `${node.cpuPercent ?? 0} %` })} ·{" "}
          {formatMessage(t.memory, { used: bytes(node.memoryBytes), limit: bytes(node.memoryLimitBytes) })}
        </>
      )}{" "}
      · {formatMessage(t.disk, { used: bytes(node.diskBytes), limit: bytes(node.diskLimitBytes) })}
    </li>
  );
  return (
    <>
      <AutoRefresh seconds={REFRESH_SECONDS} />
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      <h2>{t.hostTitle}</h2>
      <table className="admin-table admin-facts" data-testid="admin-host-summary">
        <tbody>
          <tr>
            <th scope="row">{t.hostSessions}</th>
            <td
              data-testid="admin-host-sessions"
              data-owned={host.sessions.owned}
              data-pooled={host.sessions.pooled}
              data-queued={host.sessions.queued}
            >
              {formatMessage(t.hostSessionsValue, host.sessions)}
            </td>
          </tr>
          <tr>
            <th scope="row">{t.hostMemory}</th>
            <td data-testid="admin-host-memory">
              {formatMessage(t.hostMemoryValue, {
                used: bytes(host.nodeMemoryBytes),
                total: bytes(host.hostMemoryBytes),
              })}
            </td>
          </tr>
          <tr>
            <th scope="row">{t.hostLoad}</th>
            <td data-testid="admin-host-load">
              {formatMessage(t.hostLoadValue, {
                load: host.loadAverage.join(" · "),
                cpus: host.cpus ?? t.unknown,
              })}
            </td>
          </tr>
          <tr>
            <th scope="row">{t.hostEngine}</th>
            <td data-testid="admin-host-engine">{host.engineVersion ?? t.unknown}</td>
          </tr>
          <tr>
            <th scope="row">{formatMessage(t.hostDisk, { path: host.dataRoot ?? t.unknown })}</th>
            <td data-testid="admin-host-disk">
              {formatMessage(t.hostDiskValue, {
                free: bytes(host.dataRootFreeBytes),
                size: bytes(host.dataRootSizeBytes),
              })}
            </td>
          </tr>
        </tbody>
      </table>
      {host.sampledAt ? <p className="muted">{formatMessage(t.sampledAt, { time: time(host.sampledAt) })}</p> : null}
      <form className="admin-filters" method="get" role="search" data-testid="admin-session-search">
        <label>
          {t.search}
          <input type="search" name="q" defaultValue={q} placeholder={t.searchPlaceholder} />
        </label>
        <label>
          {t.status}
          <select name="status" defaultValue={status ?? ""}>
            <option value="">{t.anyStatus}</option>
            {ZSessionStatus.options
              .filter((s) => s !== "ended")
              .map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
          </select>
        </label>
        <label>
          {t.sort}
          <select name="sort" defaultValue={sort} data-testid="admin-session-sort">
            {ADMIN_SESSION_SORTS.map((s) => (
              <option key={s} value={s}>
                {t.sorts[s]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          {t.filter}
        </button>
      </form>
      {sessions.length === 0 ? (
        <p className="notice" data-testid="admin-no-sessions">
          {t.none}
        </p>
      ) : (
        <table className="admin-table" data-testid="admin-sessions">
          <thead>
            <tr>
              <th scope="col">{t.session}</th>
              <th scope="col">{t.owner}</th>
              <th scope="col">{t.lesson}</th>
              <th scope="col">{t.age}</th>
              <th scope="col">{t.timeLeft}</th>
              <th scope="col">{t.nodes}</th>
              <th scope="col">{t.actions}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <tr
                key={session.id}
                data-testid="admin-session-row"
                data-session-id={session.id}
                data-status={session.status}
                data-expires-at={session.expiresAt}
              >
                <td>
                  <code>{session.id.slice(0, 8)}</code>
                  <div className="muted">{session.status}</div>
                </td>
                <td>
                  {session.owner ? (
                    <>
                      {session.owner.name}
                      {session.owner.login ? <div className="muted">{session.owner.login}</div> : null}
                    </>
                  ) : (
                    <span className="muted">{t.pool}</span>
                  )}
                  {session.event ? (
                    <div className="muted">
                      {t.event}: {session.event.title}
                    </div>
                  ) : null}
                </td>
                <td>
                  {session.lesson ?? t.noLesson}
                  <div className="muted">
                    <code>{session.image}</code>
                  </div>
                </td>
                <td>{formatDuration(now - Date.parse(session.createdAt))}</td>
                <td data-testid="admin-session-time-left">{formatDuration(Date.parse(session.expiresAt) - now)}</td>
                <td>
                  <ul className="admin-node-usage">{session.nodes.map(nodeCell)}</ul>
                </td>
                <td>
                  <AdminSessionActions
                    sessionId={session.id}
                    status={session.status}
                    ownerName={session.owner?.name ?? t.pool}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
