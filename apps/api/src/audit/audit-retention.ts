/** A day: the pruning runs this often, and the trigger never lets it remove anything younger. */
export const DAY_SECONDS = 24 * 3600;

/**
 * The instant before which entries go, for a retention of `retentionSeconds` (AUDIT_RETENTION),
 * or null to keep everything (0). Never later than a day ago: the table's trigger refuses more.
 */
export function auditCutoff(now: Date, retentionSeconds: number): Date | null {
  if (retentionSeconds <= 0) return null;
  return new Date(now.getTime() - Math.max(retentionSeconds, DAY_SECONDS) * 1000);
}
