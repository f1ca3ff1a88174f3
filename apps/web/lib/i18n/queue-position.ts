import type { TSessionQueueInfo } from "@kubelab/shared";
import type { Dictionary } from "./dictionaries/en";
import { formatMessage } from "./format-message";

/**
 * "You are number 3; about 2 minutes" for a queued session, in the reader's language: whole
 * minutes (at least 1), "a moment" under 30 s (a place is free or freeing now).
 */
export function queuePositionText(queue: TSessionQueueInfo | null, dict: Dictionary): string {
  const position = queue?.position ?? 1;
  const seconds = queue?.estimateSeconds ?? 0;
  if (seconds < 30) return formatMessage(dict.session.queuePositionNow, { position });
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1
    ? formatMessage(dict.session.queuePositionOneMinute, { position })
    : formatMessage(dict.session.queuePosition, { position, minutes });
}
