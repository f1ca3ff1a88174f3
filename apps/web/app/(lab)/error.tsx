"use client";

import { ErrorPanel } from "@/components/layout/error-panel";
import { useI18n } from "@/lib/i18n/i18n-provider";

export default function LabGroupError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const { dict } = useI18n();
  return (
    <main id="main" className="page-main">
      <ErrorPanel title={dict.errors.labErrorTitle} body={dict.errors.labErrorBody} error={error} reset={reset} />
    </main>
  );
}
