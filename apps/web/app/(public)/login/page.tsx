import { ZLoginErrorCode, ZLoginProvidersResponse, type TLoginErrorCode } from "@kubelab/shared";
import type { Metadata } from "next";
import Link from "next/link";
import { GuestLoginForm } from "@/components/login/guest-login-form";
import { LoginErrorNotice } from "@/components/login/login-error-notice";
import { ProviderLoginLinks } from "@/components/login/provider-login-links";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { safeNextPath } from "@/lib/lab/safe-next-path";
import { apiFetch } from "@/lib/server/api-fetch";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";

export async function generateMetadata(): Promise<Metadata> {
  return { title: getDictionary(await getLocale()).login.title };
}

interface LoginPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

function loginError(raw: string | string[] | undefined): TLoginErrorCode | null {
  const parsed = ZLoginErrorCode.safeParse(Array.isArray(raw) ? raw[0] : raw);
  return parsed.success ? parsed.data : null;
}

export default async function LoginPage({ searchParams }: LoginPageProps) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  const error = loginError(params.error);
  const [user, locale, providers] = await Promise.all([
    getCurrentUser(),
    getLocale(),
    apiFetch("/api/auth/providers", ZLoginProvidersResponse),
  ]);
  if (!providers.ok) throw providers.error;
  const dict = getDictionary(locale);
  const { providers: external, guest } = providers.data;
  return (
    <div className="login-page">
      <h1>{dict.login.title}</h1>
      <p className="lead">{dict.login.lead}</p>
      {error ? <LoginErrorNotice code={error} next={next} /> : null}
      {user ? (
        <p className="notice" data-testid="already-logged-in">
          {formatMessage(dict.login.alreadyLoggedIn, { name: user.name })}{" "}
          <Link href={next}>{dict.login.continue}</Link>
        </p>
      ) : null}
      {external.length ? <ProviderLoginLinks providers={external} next={next} /> : null}
      {external.length && guest ? <p className="login-separator">{dict.login.guestSeparator}</p> : null}
      {guest ? <GuestLoginForm next={next} /> : null}
      {!external.length && !guest ? (
        <p className="notice notice-error" data-testid="no-login-providers">
          {dict.login.noProviders}
        </p>
      ) : null}
    </div>
  );
}
