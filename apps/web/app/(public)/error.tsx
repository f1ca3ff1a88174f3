"use client";

import { ErrorPanel } from "@/components/layout/error-panel";
import { useI18n } from "@/lib/i18n/i18n-provider";

export default function PublicError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const { dict } = useI18n();
  return <ErrorPanel title={dict.errors.title} body={dict.errors.body} error={error} reset={reset} />;
}
