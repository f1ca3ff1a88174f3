import { NextResponse, type NextRequest } from "next/server";

// Hands the requested path to the (lab), (admin) and (instructor) layouts, which sends logged-out users to
// /login?next=<this path>. Set here, it overrides any such header a client sends.
export function middleware(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-kubelab-path", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.next({ request: { headers } });
}

// /join is public (no login needed) and not matched.
export const config = { matcher: ["/lab/:path*", "/admin/:path*", "/events/:path*"] };
