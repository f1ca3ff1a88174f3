// The rule itself lives in @kubelab/shared: the OAuth callback applies it too.
export { safeNextPath } from "@kubelab/shared";

export function loginPath(next: string): string {
  return `/login?next=${encodeURIComponent(next)}`;
}
