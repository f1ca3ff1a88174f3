import type { Metadata } from "next";
import { JoinEventForm } from "@/components/events/join-event-form";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).join.title };
}

interface JoinCodePageProps {
  params: Promise<{ code: string }>;
}

// The link on the projector (/join/<code>): only a name is left to type, or nothing when logged in.
export default async function JoinCodePage({ params }: JoinCodePageProps) {
  const [{ code }, user, locale] = await Promise.all([params, getCurrentUser(), getLocale()]);
  const dict = getDictionary(locale);
  return (
    <div className="login-page join-page">
      <h1>{dict.join.title}</h1>
      <JoinEventForm code={code} userName={user?.name ?? null} />
    </div>
  );
}
