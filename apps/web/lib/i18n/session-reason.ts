import type { TSession } from "@kubelab/shared";
import type { Dictionary } from "./dictionaries/en";
import { formatMessage } from "./format-message";

/**
 * Why a session failed or ended, for people: worded from the reason code (and its nodes and exit
 * code) in the reader's language. Null when the server sent no code this app knows; callers then
 * show a generic sentence with the server's text as a detail.
 */
export function sessionReasonText(session: TSession, dict: Dictionary, locale: string): string | null {
  const reason = session.stopReason;
  if (!reason) return null;
  const nodes =
    reason.nodes.length > 0
      ? new Intl.ListFormat(locale, { type: "conjunction" }).format(reason.nodes)
      : dict.session.someNode;
  const text = formatMessage(dict.session.reasonCodes[reason.code], { nodes, image: session.image });
  return reason.exitCode === null
    ? text
    : `${text} ${formatMessage(dict.session.reasonExitCode, { code: reason.exitCode })}`;
}

/** The server's own (English) text about the reason, when it says more than the code. */
export function sessionReasonDetail(session: TSession): string | null {
  const detail = session.stopReason ? session.stopReason.detail : session.reason;
  return detail && detail !== session.stopReason?.code ? detail : null;
}
