"use client";

import { useRouter } from "next/navigation";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { LOCALE_COOKIE, LOCALES, isLocale } from "@/lib/i18n/locales";
import { getDictionary } from "@/lib/i18n/get-dictionary";

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

// The language is a cookie (not localStorage) because server components render
// the texts and pick the lesson's language.
export function LanguageSwitch() {
  const { locale, dict } = useI18n();
  const router = useRouter();
  return (
    <label className="header-control">
      <span className="visually-hidden">{dict.header.language}</span>
      <select
        value={locale}
        onChange={(event) => {
          const next = event.target.value;
          if (!isLocale(next)) return;
          document.cookie = `${LOCALE_COOKIE}=${next}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax`;
          // Re-render server components in the new language; client state (terminals) stays.
          router.refresh();
        }}
      >
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {getDictionary(code).languageName}
          </option>
        ))}
      </select>
    </label>
  );
}
