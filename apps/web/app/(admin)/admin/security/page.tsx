import { ZNodeSecurityReport } from "@kubelab/shared";
import type { Metadata } from "next";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).security.title };
}

function gibibytes(bytes: number): string {
  return `${Math.round((bytes / 1024 ** 3) * 10) / 10} GiB`;
}

// The honest statement of the trust boundary: what the active profile grants a
// node's root and what it still leaves open, so an admin decides with the facts.
export default async function NodeSecurityPage() {
  const [result, locale] = await Promise.all([apiFetch("/api/admin/node-security", ZNodeSecurityReport), getLocale()]);
  if (!result.ok) throw result.error;
  const report = result.data;
  const t = getDictionary(locale).security;
  const list = (items: string[]): string => (items.length ? items.join(", ") : t.none);
  return (
    <>
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      {report.profileError ? (
        <p className="notice notice-error" role="alert" data-testid="security-profile-error">
          {formatMessage(t.profileError, { message: report.profileError })}
        </p>
      ) : null}
      <table className="admin-table admin-facts" data-testid="security-facts">
        <tbody>
          <tr>
            <th scope="row">{t.profile}</th>
            <td data-testid="security-active-profile" data-profile={report.activeProfile ?? ""}>
              {report.activeProfile ? t.profiles[report.activeProfile] : t.unknown}{" "}
              <span className="muted">
                {formatMessage(t.configuredAs, { value: `NODE_SECURITY_PROFILE=${report.configuredProfile}` })}
              </span>
            </td>
          </tr>
          <tr>
            <th scope="row">{t.capabilities}</th>
            <td data-testid="security-capabilities">
              <code>{list(report.capabilities)}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">{t.seccomp}</th>
            <td>{t.seccompModes[report.seccomp]}</td>
          </tr>
          <tr>
            <th scope="row">{t.cgroupNamespace}</th>
            <td>{t.cgroupModes[report.cgroupNamespace]}</td>
          </tr>
          <tr>
            <th scope="row">{t.userNamespace}</th>
            <td>{report.userNamespace ? t.userNamespaceOn : t.userNamespaceOff}</td>
          </tr>
          <tr>
            <th scope="row">{t.devices}</th>
            <td>
              <code>{list(report.devices)}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">{t.egress}</th>
            <td data-testid="security-egress">
              {t.egressModes[report.egress.mode]}
              {report.egress.allow.length ? (
                <> {formatMessage(t.egressAllow, { networks: report.egress.allow.join(", ") })}</>
              ) : null}
            </td>
          </tr>
          <tr>
            <th scope="row">{t.diskLimit}</th>
            <td>{formatMessage(t.diskLimitValue, { size: gibibytes(report.diskLimitBytes) })}</td>
          </tr>
        </tbody>
      </table>
      <h2>{t.risksTitle}</h2>
      <ul className="admin-risks" data-testid="security-risks">
        {report.residualRisks.map((risk) => (
          <li key={risk} data-risk={risk}>
            {t.risks[risk]}
          </li>
        ))}
      </ul>
      <h2>{t.untrustedTitle}</h2>
      <ul>
        {t.untrustedAdvice.map((advice) => (
          <li key={advice}>{advice}</li>
        ))}
      </ul>
      <p className="muted">{formatMessage(t.docsHint, { file: "docs/operations.md" })}</p>
    </>
  );
}
