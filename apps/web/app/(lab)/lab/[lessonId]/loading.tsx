import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getLocale } from "@/lib/server/locale";

export default async function LabPageLoading() {
  const dict = getDictionary(await getLocale());
  return (
    <main id="main" className="page-main">
      <p className="loading" role="status" aria-live="polite">
        {dict.common.loading}
      </p>
    </main>
  );
}
