import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getLocale } from "@/lib/server/locale";

export default async function PublicLoading() {
  const dict = getDictionary(await getLocale());
  return (
    <p className="loading" role="status" aria-live="polite">
      {dict.common.loading}
    </p>
  );
}
