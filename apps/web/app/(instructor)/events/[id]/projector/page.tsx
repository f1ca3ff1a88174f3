import { ZEvent } from "@kubelab/shared";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EventProjector } from "@/components/events/event-projector";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).events.projector };
}

interface ProjectorPageProps {
  params: Promise<{ id: string }>;
}

// For the room's screen: the code large and a QR code of the join link.
export default async function ProjectorPage({ params }: ProjectorPageProps) {
  const { id } = await params;
  const event = await apiFetch(`/api/events/${encodeURIComponent(id)}`, ZEvent);
  if (!event.ok) {
    if (event.error.status === 404) notFound();
    throw event.error;
  }
  return <EventProjector event={event.data} />;
}
