/** The platform's login page: a login must not send the browser back to it. */
export const LOGIN_PATH = "/login";

const MAX_LENGTH = 2000;

/**
 * Where to send the browser after a login, for every login Kubelab runs: the
 * platform's (login page, OAuth callback) and a port host's ticket exchange.
 * Only a path on the same origin passes; anything else becomes "/":
 * - it must start with one "/" (`//evil.example` and `https:` leave the host),
 *   and contain no backslash (browsers read `/\evil.example` as `//evil.example`);
 * - printable ASCII only: control characters could split a Location header,
 *   bidi marks hide what the link says, and raw Unicode or spaces cannot go
 *   into a Location header unencoded (browsers send paths percent-encoded);
 * - at most 2000 characters;
 * - not `loopPath` itself (default the login page), which would start over.
 */
export function safeNextPath(next: string | string[] | undefined | null, options: { loopPath?: string } = {}): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || value.length > MAX_LENGTH || !/^\/[!-~]*$/.test(value)) return "/";
  if (value.startsWith("//") || value.includes("\\")) return "/";
  const loopPath = options.loopPath ?? LOGIN_PATH;
  const pathname = value.split(/[?#]/, 1)[0]!;
  if (pathname === loopPath || pathname.startsWith(`${loopPath}/`)) return "/";
  return value;
}
