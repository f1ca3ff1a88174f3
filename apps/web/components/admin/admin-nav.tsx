"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export interface AdminNavLabels {
  nav: string;
  navUsers: string;
  navSecurity: string;
  navSettings: string;
  navAudit: string;
  navSessions: string;
  navHome: string;
  navImages: string;
  navUsage: string;
  navEngines: string;
}

const SECTIONS = [
  { href: "/admin", key: "navHome", testId: "admin-nav-home" },
  { href: "/admin/users", key: "navUsers", testId: "admin-nav-users" },
  { href: "/admin/security", key: "navSecurity", testId: "admin-nav-security" },
  { href: "/admin/settings", key: "navSettings", testId: "admin-nav-settings" },
  { href: "/admin/audit", key: "navAudit", testId: "admin-nav-audit" },
  { href: "/admin/sessions", key: "navSessions", testId: "admin-nav-sessions" },
  { href: "/admin/images", key: "navImages", testId: "admin-nav-images" },
  { href: "/admin/engines", key: "navEngines", testId: "admin-nav-engines" },
  { href: "/admin/usage", key: "navUsage", testId: "admin-nav-usage" },
] as const;

// The home is current only on itself; every other page also for what lies under it.
function isCurrent(pathname: string, href: string): boolean {
  return href === "/admin" ? pathname === href : pathname.startsWith(href);
}

// A client leaf: the admin layout is kept across navigations between its pages,
// so only the router knows which tab is current.
export function AdminNav({ labels }: { labels: AdminNavLabels }) {
  const pathname = usePathname();
  return (
    <nav className="admin-nav" aria-label={labels.nav}>
      {SECTIONS.map((section) => (
        <Link
          key={section.href}
          href={section.href}
          data-testid={section.testId}
          aria-current={isCurrent(pathname, section.href) ? "page" : undefined}
        >
          {labels[section.key]}
        </Link>
      ))}
    </nav>
  );
}
