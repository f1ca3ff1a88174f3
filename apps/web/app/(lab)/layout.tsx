import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/layout/site-header";
import { loginPath, safeNextPath } from "@/lib/lab/safe-next-path";
import { getCurrentUser } from "@/lib/server/current-user";

// Everything under this group needs a login: checked once here (getCurrentUser
// is cached per request, so pages reuse the answer). Layouts do not receive the
// URL, so middleware.ts passes it in a request header for the ?next= link.
export default async function LabGroupLayout({ children }: Readonly<{ children: ReactNode }>) {
  const user = await getCurrentUser();
  if (!user) redirect(loginPath(safeNextPath((await headers()).get("x-kubelab-path"))));
  return (
    <div className="lab-shell">
      <SiteHeader compact />
      {children}
    </div>
  );
}
