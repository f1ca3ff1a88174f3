import { ZAdminEngineList } from "@kubelab/shared";
import type { Metadata } from "next";
import { EngineDrainButton } from "@/components/admin/engine-drain-button";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";
import { AutoRefresh } from "@/components/admin/auto-refresh";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).adminEngines.title };
}

function gibibytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

// Each Docker engine of DOCKER_ENGINES: whether it answers, its load against its capacity, and the
// admin's drain (no new sessions there; its sessions run out).
export default async function AdminEnginesPage() {
  const [result, locale] = await Promise.all([apiFetch("/api/admin/engines", ZAdminEngineList), getLocale()]);
  if (!result.ok) throw result.error;
  const t = getDictionary(locale).adminEngines;
  const times = new Intl.DateTimeFormat(locale, { timeStyle: "medium" });
  const { engines, lostAfterSeconds } = result.data;
  return (
    <>
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      <AutoRefresh seconds={5} />
      <table className="admin-table" data-testid="admin-engines">
        <thead>
          <tr>
            <th scope="col">{t.engine}</th>
            <th scope="col">{t.address}</th>
            <th scope="col">{t.state}</th>
            <th scope="col">{t.sessions}</th>
            <th scope="col">{t.memory}</th>
            <th scope="col">
              <span className="visually-hidden">{t.drain}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {engines.map((engine) => (
            <tr
              key={engine.name}
              data-engine={engine.name}
              data-state={engine.state}
              data-draining={String(engine.draining)}
            >
              <th scope="row">
                <code>{engine.name}</code>
                {engine.draining ? <span className="badge badge-warning"> {t.drained}</span> : null}
              </th>
              <td>
                <code>{engine.address}</code>
              </td>
              <td className={engine.state === "down" ? "admin-image-missing" : undefined}>
                {engine.state === "up"
                  ? t.up
                  : formatMessage(t.down, { since: times.format(new Date(engine.downSince!)) })}
                {engine.state === "down" ? (
                  <div className="muted">
                    {formatMessage(t.downHint, { seconds: lostAfterSeconds })}
                    {engine.lastError ? <div>{engine.lastError}</div> : null}
                  </div>
                ) : null}
              </td>
              <td data-testid="engine-sessions">
                {engine.maxSessions === null
                  ? formatMessage(t.noLimit, { used: engine.sessions })
                  : formatMessage(t.ofLimit, { used: engine.sessions, limit: engine.maxSessions })}
              </td>
              <td>
                {engine.maxMemoryBytes === null
                  ? formatMessage(t.noLimit, { used: gibibytes(engine.memoryBytes) })
                  : formatMessage(t.ofLimit, {
                      used: gibibytes(engine.memoryBytes),
                      limit: gibibytes(engine.maxMemoryBytes),
                    })}
              </td>
              <td>
                <EngineDrainButton name={engine.name} draining={engine.draining} sessions={engine.sessions} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {engines.some((engine) => engine.draining) ? <p className="muted">{t.drainedHint}</p> : null}
    </>
  );
}
