import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";
import { PageShell } from "@/components/layout/page-shell";
import { getDictionary } from "@/lib/i18n/get-dictionary";
import { loginPath, safeNextPath } from "@/lib/lab/safe-next-path";
import { getCurrentUser } from "@/lib/server/current-user";
import { getLocale } from "@/lib/server/locale";

// Admin pages: logged-out visitors go to the login page; logged-in users
// without the admin role get a 404, as the API's routes are invisible to them.
// The API checks the role again on every call; this only spares a broken page.
export default async function AdminGroupLayout({ children }: Readonly<{ children: ReactNode }>) {
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  if (!user) redirect(loginPath(safeNextPath((await headers()).get("x-kubelab-path"))));
  if (user.role !== "admin") notFound();
  const dict = getDictionary(locale);
  const { nav, navUsers, navSecurity, navHome, navImages, navUsage, navEngines } = dict.admin;
  return (
    <PageShell mainClassName="admin-main">
      <AdminNav
        labels={{
          nav,
          navUsers,
          navSecurity,
          navHome,
          navImages,
          navUsage,
          navEngines,
          navSettings: dict.adminSettings.nav,
          navAudit: dict.adminAudit.nav,
          navSessions: dict.adminSessions.nav,
        }}
      />
      {children}
    </PageShell>
  );
}
