// Where to go after logging in. Only same-site paths are allowed, so a crafted
// link (/login?next=https://evil.example) cannot send a fresh login elsewhere.
export function safeNextPath(next: string | string[] | undefined | null): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/";
  if (value.startsWith("/login")) return "/";
  return value;
}

export function loginPath(next: string): string {
  return `/login?next=${encodeURIComponent(next)}`;
}
