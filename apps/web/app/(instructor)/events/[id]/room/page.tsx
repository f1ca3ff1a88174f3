import { ZEvent } from "@kubelab/shared";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RoomPage } from "@/components/room/room-page";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).events.room };
}

interface RoomRouteProps {
  params: Promise<{ id: string }>;
}

// The instructor's live room of an event (its instructors and admins; the API checks again).
export default async function RoomRoute({ params }: RoomRouteProps) {
  const { id } = await params;
  const event = await apiFetch(`/api/events/${encodeURIComponent(id)}`, ZEvent);
  if (!event.ok) {
    if (event.error.status === 404) notFound();
    throw event.error;
  }
  return <RoomPage event={event.data} />;
}
