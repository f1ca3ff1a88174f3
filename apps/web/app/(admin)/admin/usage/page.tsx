import { ZAdminUsage } from "@kubelab/shared";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";
import { firstParam, type PageSearchParams } from "@/lib/server/search-params";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).adminUsage.title };
}

interface FigureRow {
  key: string;
  label: ReactNode;
  sessions: number;
  nodeHours: number;
}

// One table of sessions and node-hours per event or per user.
function FiguresTable(props: {
  testId: string;
  heading: string;
  labels: { sessions: string; nodeHours: string };
  rows: FigureRow[];
  numbers: Intl.NumberFormat;
}) {
  return (
    <table className="admin-table" data-testid={props.testId}>
      <thead>
        <tr>
          <th scope="col">{props.heading}</th>
          <th scope="col">{props.labels.sessions}</th>
          <th scope="col">{props.labels.nodeHours}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key} data-key={row.key}>
            <th scope="row">{row.label}</th>
            <td>{props.numbers.format(row.sessions)}</td>
            <td>{props.numbers.format(row.nodeHours)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Usage of the lab in a range of days: totals, per day, per event and per user, and the CSV of it.
export default async function AdminUsagePage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const query = new URLSearchParams();
  for (const key of ["from", "to"] as const) {
    const value = firstParam(params[key])?.slice(0, 10);
    if (value) query.set(key, value);
  }
  const [result, locale] = await Promise.all([
    apiFetch(`/api/admin/usage?${query.toString()}`, ZAdminUsage),
    getLocale(),
  ]);
  const dict = getDictionary(locale);
  const t = dict.adminUsage;
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const form = (from: string | undefined, to: string | undefined) => (
    <form className="admin-filters" method="get" data-testid="admin-usage-range">
      <label>
        {t.from}
        <input type="date" name="from" defaultValue={from} />
      </label>
      <label>
        {t.to}
        <input type="date" name="to" defaultValue={to} />
      </label>
      <button type="submit">{t.show}</button>
    </form>
  );
  if (!result.ok) {
    return (
      <>
        <h1>{t.title}</h1>
        {form(query.get("from") ?? undefined, query.get("to") ?? undefined)}
        <p className="notice notice-error" role="alert" data-testid="admin-usage-error">
          {formatMessage(t.loadFailed, { message: apiErrorText(result.error, dict) })}
        </p>
      </>
    );
  }
  const usage = result.data;
  const csvQuery = new URLSearchParams({ from: usage.from, to: usage.to });
  return (
    <>
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      {form(usage.from, usage.to)}
      <p
        data-testid="admin-usage-totals"
        data-sessions={usage.totals.sessions}
        data-node-hours={usage.totals.nodeHours}
      >
        {formatMessage(t.totals, {
          sessions: numbers.format(usage.totals.sessions),
          nodeHours: numbers.format(usage.totals.nodeHours),
        })}{" "}
        <a href={`/api/admin/usage.csv?${csvQuery.toString()}`} download data-testid="admin-usage-csv">
          {t.download}
        </a>
      </p>
      <h2>{t.daysTitle}</h2>
      <table className="admin-table" data-testid="admin-usage-days">
        <thead>
          <tr>
            <th scope="col">{t.day}</th>
            <th scope="col">{t.sessions}</th>
            <th scope="col">{t.started}</th>
            <th scope="col">{t.nodeHours}</th>
          </tr>
        </thead>
        <tbody>
          {usage.days.map((day) => (
            <tr key={day.day} data-day={day.day}>
              <th scope="row">{day.day}</th>
              <td>{numbers.format(day.sessions)}</td>
              <td>{numbers.format(day.started)}</td>
              <td>{numbers.format(day.nodeHours)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t.eventsTitle}</h2>
      {usage.events.length === 0 ? (
        <p>{t.noEvents}</p>
      ) : (
        <FiguresTable
          testId="admin-usage-events"
          heading={t.event}
          labels={t}
          numbers={numbers}
          rows={usage.events.map((event) => ({ key: event.eventId, label: event.title, ...event }))}
        />
      )}
      <h2>{t.usersTitle}</h2>
      {usage.users.length === 0 ? (
        <p>{t.noUsers}</p>
      ) : (
        <FiguresTable
          testId="admin-usage-users"
          heading={t.user}
          labels={t}
          numbers={numbers}
          rows={usage.users.map((user) => ({
            key: user.userId,
            label: (
              <>
                {user.name}
                {user.login ? <span className="muted"> @{user.login}</span> : null}
              </>
            ),
            ...user,
          }))}
        />
      )}
    </>
  );
}
