import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { PageShell } from "@/components/layout/page-shell";
import { loginPath, safeNextPath } from "@/lib/lab/safe-next-path";
import { getCurrentUser } from "@/lib/server/current-user";

// Instructor pages (events): logged-out visitors go to the login page; users who are neither
// instructors nor admins get a 404, as the API's event routes refuse them. The API checks again.
export default async function InstructorGroupLayout({ children }: Readonly<{ children: ReactNode }>) {
  const user = await getCurrentUser();
  if (!user) redirect(loginPath(safeNextPath((await headers()).get("x-kubelab-path"))));
  if (user.role !== "instructor" && user.role !== "admin") notFound();
  return <PageShell>{children}</PageShell>;
}
