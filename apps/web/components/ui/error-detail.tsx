"use client";

import { apiErrorDetail } from "@/lib/i18n/api-error-text";
import { useI18n } from "@/lib/i18n/i18n-provider";

/**
 * The server's own (English) words behind an error, folded away: the
 * translated sentence is what users read; this is for a bug report.
 */
export function ErrorDetail({ error }: { error: unknown }) {
  const { dict } = useI18n();
  const detail = apiErrorDetail(error);
  if (!detail) return null;
  return (
    <details className="error-detail" data-testid="error-detail">
      <summary>{dict.apiErrors.detail}</summary>
      <p lang="en">{detail}</p>
    </details>
  );
}
