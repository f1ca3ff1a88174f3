import { ZWatchTargets } from "@kubelab/shared";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AttendeeWatch } from "@/components/watch/attendee-watch";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { apiFetch } from "@/lib/server/api-fetch";
import { getLocale } from "@/lib/server/locale";

interface WatchPageProps {
  params: Promise<{ id: string; sessionId: string }>;
  searchParams: Promise<{ help?: string | string[] }>;
}

function targetsPath(id: string, sessionId: string) {
  return `/api/events/${encodeURIComponent(id)}/sessions/${encodeURIComponent(sessionId)}/terminals` as const;
}

export async function generateMetadata({ params }: WatchPageProps): Promise<Metadata> {
  const { id, sessionId } = await params;
  const dict = getDictionary(await getLocale());
  const targets = await apiFetch(targetsPath(id, sessionId), ZWatchTargets);
  return { title: formatMessage(dict.watch.title, { name: targets.ok ? targets.data.name : "…" }) };
}

// Watching an attendee's terminals, read-only until a take-over (issue 16). `?help=<id>`: opened
// from the room's help queue, with a "Done" button that resolves that request.
export default async function WatchPage({ params, searchParams }: WatchPageProps) {
  const { id, sessionId } = await params;
  const { help } = await searchParams;
  const targets = await apiFetch(targetsPath(id, sessionId), ZWatchTargets);
  if (!targets.ok) {
    if (targets.error.status === 404) notFound();
    throw targets.error;
  }
  return <AttendeeWatch eventId={id} initial={targets.data} helpRequestId={typeof help === "string" ? help : null} />;
}
