import type { Metadata } from "next";
import { JoinEventForm } from "@/components/events/join-event-form";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).join.title };
}

// Public: attendees arrive here without a login; a guest event logs them in on joining.
export default async function JoinPage() {
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  const dict = getDictionary(locale);
  return (
    <div className="login-page join-page">
      <h1>{dict.join.title}</h1>
      <p className="lead">{dict.join.lead}</p>
      <JoinEventForm userName={user?.name ?? null} />
    </div>
  );
}
