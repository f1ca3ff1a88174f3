import { ZAdminSettings } from "@kubelab/shared";
import type { Metadata } from "next";
import { SettingsForm } from "@/components/admin/settings-form";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).adminSettings.title };
}

// The console's settings: each value in force, where it comes from, and a form to change them.
export default async function AdminSettingsPage() {
  const [result, locale] = await Promise.all([apiFetch("/api/admin/settings", ZAdminSettings), getLocale()]);
  if (!result.ok) throw result.error;
  const t = getDictionary(locale).adminSettings;
  return (
    <>
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      <SettingsForm initial={result.data} />
    </>
  );
}
