import type { ReactNode } from "react";
import { SiteHeader } from "./site-header";

/** The frame of ordinary pages (everything but the full-screen lab): header, then the main column. */
export function PageShell({ children, mainClassName }: { children: ReactNode; mainClassName?: string }) {
  return (
    <div className="page-shell">
      <SiteHeader />
      <main id="main" className={mainClassName ? `page-main ${mainClassName}` : "page-main"}>
        {children}
      </main>
    </div>
  );
}
