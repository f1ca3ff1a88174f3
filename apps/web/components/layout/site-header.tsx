import Link from "next/link";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { formatMessage } from "@/lib/i18n/format-message";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";
import { Avatar } from "@/components/ui/avatar";
import { KubelabMark } from "@/components/ui/icons";
import { LanguageSwitch } from "./language-switch";
import { LogoutButton } from "./logout-button";
import { TextSizeToggle } from "./text-size-toggle";
import { ThemeToggle } from "./theme-toggle";

/** Top bar shared by every page: home link, appearance and language, login state. */
export async function SiteHeader({ compact = false }: { compact?: boolean }) {
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  const dict = getDictionary(locale);
  return (
    <header className={compact ? "site-header site-header-compact" : "site-header"}>
      <a className="skip-link" href="#main">
        {dict.header.skipToContent}
      </a>
      <nav aria-label={dict.header.mainNav} className="site-nav">
        <Link href="/" className="brand">
          <KubelabMark />
          {dict.common.appName}
        </Link>
      </nav>
      <div className="header-tools">
        <LanguageSwitch />
        <ThemeToggle />
        <TextSizeToggle />
        {user?.role === "admin" || user?.role === "instructor" ? (
          <Link href="/events" className="button-quiet" data-testid="events-link">
            {dict.events.headerLink}
          </Link>
        ) : null}
        {user?.role === "admin" ? (
          <Link href="/admin/users" className="button-quiet" data-testid="admin-users-link">
            {dict.header.adminUsers}
          </Link>
        ) : null}
        {user ? (
          <>
            <Avatar url={user.avatarUrl} />
            <span
              className="user-name"
              data-testid="user-name"
              title={formatMessage(dict.header.loggedInAs, { name: user.name })}
            >
              <span className="visually-hidden">{formatMessage(dict.header.loggedInAs, { name: "" })}</span>
              {user.name}
            </span>
            <LogoutButton />
          </>
        ) : (
          <Link href="/login" className="button-quiet" data-testid="login-link">
            {dict.header.login}
          </Link>
        )}
      </div>
    </header>
  );
}
