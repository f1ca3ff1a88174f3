import type { Metadata } from "next";
import Link from "next/link";
import { GuestLoginForm } from "@/components/login/guest-login-form";
import { LOGIN_PROVIDERS, type LoginProvider } from "@/lib/auth/login-providers";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { safeNextPath } from "@/lib/lab/safe-next-path";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).login.title };
}

interface LoginPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

function ProviderLogin({ provider, next }: { provider: LoginProvider; next: string }) {
  switch (provider) {
    case "guest":
      return <GuestLoginForm next={next} />;
  }
}

export default async function LoginPage({ searchParams }: LoginPageProps) {
  const next = safeNextPath((await searchParams).next);
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  const dict = getDictionary(locale);
  return (
    <div className="login-page">
      <h1>{dict.login.title}</h1>
      <p className="lead">{dict.login.lead}</p>
      {user ? (
        <p className="notice" data-testid="already-logged-in">
          {formatMessage(dict.login.alreadyLoggedIn, { name: user.name })}{" "}
          <Link href={next}>{dict.login.continue}</Link>
        </p>
      ) : null}
      <ul className="login-providers">
        {LOGIN_PROVIDERS.map((provider) => (
          <li key={provider}>
            <ProviderLogin provider={provider} next={next} />
          </li>
        ))}
      </ul>
    </div>
  );
}
