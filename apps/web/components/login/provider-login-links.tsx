import type { TLoginProvider } from "@kubelab/shared";
import { formatMessage } from "@/lib/i18n/format-message";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getLocale } from "@/lib/server/locale";

/**
 * One button per configured provider. Plain links, not fetches: the login is a
 * chain of top-level navigations (Kubelab → provider → callback), which is
 * what lets the Lax state cookie come back on the callback.
 */
export async function ProviderLoginLinks({ providers, next }: { providers: TLoginProvider[]; next: string }) {
  const dict = getDictionary(await getLocale());
  return (
    <section className="login-form" aria-labelledby="login-providers-title">
      <h2 id="login-providers-title">{dict.login.providersTitle}</h2>
      <ul className="login-providers">
        {providers.map((provider) => (
          <li key={provider.id}>
            <a
              className={`button button-primary login-provider login-provider-${provider.kind}`}
              href={`/api/auth/${encodeURIComponent(provider.id)}/login?next=${encodeURIComponent(next)}`}
              data-testid={`login-with-${provider.id}`}
            >
              {formatMessage(dict.login.providerButton, { provider: provider.name })}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
