import { NextResponse, type NextRequest } from "next/server";

// Hands the requested path to the (lab) and (admin) layouts, which sends logged-out users to
// /login?next=<this path>. Set here, it overrides any such header a client sends.
export function middleware(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-kubelab-path", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/lab/:path*", "/admin/:path*"] };
