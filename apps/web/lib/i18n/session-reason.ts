import type { Dictionary } from "./dictionaries/en";

/**
 * A session's failure reason for people: the stable codes the server sends (SESSION_REASON_CODES,
 * also as terminal close reasons) are translated; older free-text reasons are shown as sent.
 */
export function sessionReasonText(reason: string, dict: Dictionary): string {
  return Object.hasOwn(dict.session.reasonCodes, reason)
    ? dict.session.reasonCodes[reason as keyof Dictionary["session"]["reasonCodes"]]
    : reason;
}
