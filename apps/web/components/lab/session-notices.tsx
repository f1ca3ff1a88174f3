"use client";

import type { TSessionNotice } from "@kubelab/shared";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { formatBytes } from "@/lib/ui/format-bytes";

const size = (bytes: number | null, locale: string) => (bytes === null ? "?" : formatBytes(bytes, locale));

/** The session's recent notices (disk nearly full, a process killed for memory), worded from their codes. */
export function SessionNotices({ notices }: { notices: TSessionNotice[] }) {
  const { dict, locale } = useI18n();
  if (notices.length === 0) return null;
  return (
    <ul className="session-notices" aria-label={dict.session.notices.label} data-testid="session-notices">
      {notices.map((notice) => (
        <li
          key={`${notice.at}-${notice.code}-${notice.node ?? ""}`}
          className={`session-warning session-notice-${notice.code}`}
          role="status"
          data-testid="session-notice"
          data-code={notice.code}
          data-node={notice.node ?? ""}
        >
          <time dateTime={notice.at}>
            {new Date(notice.at).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })}
          </time>{" "}
          {formatMessage(dict.session.notices[notice.code], {
            node: notice.node ?? "?",
            used: size(notice.usedBytes, locale),
            limit: size(notice.limitBytes, locale),
          })}
        </li>
      ))}
    </ul>
  );
}
