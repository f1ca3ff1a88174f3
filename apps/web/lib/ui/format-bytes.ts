const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/**
 * A size for attendees. Limits are configured in binary units (UPLOAD_MAX_SIZE=50m is
 * 50 MiB, NODE_DISK_LIMIT=10g is 10 GiB); people read them as KB, MB and GB.
 */
export function formatBytes(bytes: number, locale: string): string {
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  if (bytes >= GIB) return `${number.format(bytes / GIB)} GB`;
  if (bytes >= MIB) return `${number.format(bytes / MIB)} MB`;
  if (bytes >= KIB) return `${number.format(bytes / KIB)} KB`;
  return `${number.format(bytes)} B`;
}
