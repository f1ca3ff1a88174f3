import { ZLessonCatalog } from "@kubelab/shared";
import type { Metadata } from "next";
import { EventsManager } from "@/components/events/events-manager";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).events.title };
}

export default async function EventsPage() {
  const catalog = await apiFetch("/api/lessons", ZLessonCatalog);
  if (!catalog.ok) throw catalog.error;
  return <EventsManager lessons={catalog.data.lessons} />;
}
