"use client";

import { ErrorPanel } from "@/components/layout/error-panel";
import { useI18n } from "@/lib/i18n/i18n-provider";

interface ErrorPageProps {
  error: Error & { digest?: string };
  reset: () => void;
}

export default function RootError({ error, reset }: ErrorPageProps) {
  const { dict } = useI18n();
  return (
    <main id="main" className="page-main">
      <ErrorPanel title={dict.errors.title} body={dict.errors.body} error={error} reset={reset} />
    </main>
  );
}
