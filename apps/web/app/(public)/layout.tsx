import type { ReactNode } from "react";
import { SiteHeader } from "@/components/layout/site-header";

// Pages anyone may see (catalog, login); they show the login state but do not require it.
export default function PublicLayout({ children }: Readonly<{ children: ReactNode }>) {
  return (
    <div className="page-shell">
      <SiteHeader />
      <main id="main" className="page-main">
        {children}
      </main>
    </div>
  );
}
