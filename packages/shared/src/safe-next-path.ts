/**
 * Where to go after logging in. Only same-site paths are allowed, so a crafted
 * link (/login?next=https://evil.example) cannot send a fresh login elsewhere.
 * Used by the login page and by the OAuth callback, which both redirect to it.
 */
export function safeNextPath(next: string | string[] | undefined | null): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/";
  // Control characters could split a Location header or hide a scheme.
  if (/\p{C}/u.test(value) || value.length > 2000) return "/";
  if (value.startsWith("/login")) return "/";
  return value;
}
