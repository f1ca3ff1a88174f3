import type { TLoginErrorCode } from "@kubelab/shared";
import Link from "next/link";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { getLocale } from "@/lib/server/locale";

/** Why the last login did not complete (from /login?error=<code>), with a way to start over. */
export async function LoginErrorNotice({ code, next }: { code: TLoginErrorCode; next: string }) {
  const dict = getDictionary(await getLocale());
  return (
    <div className="notice notice-error" role="alert" data-testid="login-error-notice" data-code={code}>
      <p>{dict.login.errors[code]}</p>
      <Link href={`/login?next=${encodeURIComponent(next)}`} data-testid="login-retry">
        {dict.login.retry}
      </Link>
    </div>
  );
}
