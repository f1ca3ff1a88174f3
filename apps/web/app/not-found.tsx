import type { Metadata } from "next";
import Link from "next/link";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).errors.notFoundTitle };
}

export default async function NotFound() {
  const dict = getDictionary(await getLocale());
  return (
    <main id="main" className="page-main">
      <div className="error-panel" data-testid="not-found">
        <h1>{dict.errors.notFoundTitle}</h1>
        <p className="lead">{dict.errors.notFoundBody}</p>
        <p>
          <Link href="/" className="button button-primary">
            {dict.common.goHome}
          </Link>
        </p>
      </div>
    </main>
  );
}
