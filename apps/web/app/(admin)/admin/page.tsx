import { ZAdminImageList } from "@kubelab/shared";
import type { Metadata } from "next";
import Link from "next/link";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).adminHome.title };
}

// Every admin page, in the order an admin usually needs them.
const PAGES = ["settings", "sessions", "images", "engines", "usage", "audit", "users", "security"] as const;

// The admin home: what needs attention now (warnings from the API), then a way to every admin page.
export default async function AdminHomePage() {
  const [result, locale] = await Promise.all([apiFetch("/api/admin/images", ZAdminImageList), getLocale()]);
  if (!result.ok) throw result.error;
  const t = getDictionary(locale).adminHome;
  const { warnings } = result.data;
  return (
    <>
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      <h2>{t.warningsTitle}</h2>
      {warnings.length === 0 ? (
        <p data-testid="admin-no-warnings">{t.noWarnings}</p>
      ) : (
        <ul className="admin-warnings" data-testid="admin-warnings">
          {warnings.map((warning) => (
            <li
              key={`${warning.code}:${warning.lessonId ?? ""}`}
              className="notice"
              data-warning={warning.code}
              data-lesson={warning.lessonId ?? ""}
            >
              {formatMessage(t.warnings[warning.code], {
                lesson: warning.lessonId ?? "",
                image: warning.image ?? "",
              })}{" "}
              <Link href="/admin/images">{t.imagesLink}</Link>
            </li>
          ))}
        </ul>
      )}
      <h2>{t.pagesTitle}</h2>
      <ul className="admin-pages" data-testid="admin-pages">
        {PAGES.map((page) => (
          <li key={page}>
            <Link href={`/admin/${page}`} data-testid={`admin-home-${page}`}>
              {t.pages[page].title}
            </Link>{" "}
            <span className="muted">{t.pages[page].description}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
