import type { ReactNode } from "react";
import { PageShell } from "@/components/layout/page-shell";

// Pages anyone may see (catalog, login); they show the login state but do not require it.
export default function PublicLayout({ children }: Readonly<{ children: ReactNode }>) {
  return <PageShell>{children}</PageShell>;
}
