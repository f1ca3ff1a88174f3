import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = {
  title: "Page not found",
};

export default function NotFound() {
  return (
    <main>
      <h1>Page not found</h1>
      <p className="lead">This page does not exist (HTTP 404).</p>
      <p>
        <Link href="/">Go back to the Kubelab home page</Link>.
      </p>
    </main>
  );
}
