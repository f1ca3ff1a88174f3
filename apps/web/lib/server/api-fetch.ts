import "server-only";
import { headers } from "next/headers";
import type { ZodType } from "zod";
import { readApiError, type ApiError } from "@/lib/api/api-error";

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

// The API server sets KUBELAB_INTERNAL_URL (loopback) before starting Next; the
// fallback only matters when running `next dev` next to an API on its default port.
function internalBaseUrl(): string {
  return process.env.KUBELAB_INTERNAL_URL ?? "http://127.0.0.1:3000";
}

/**
 * Calls the API from a server component as the current user: the browser's
 * cookie header is forwarded, nothing is cached. API errors come back as a
 * result to branch on; an unreachable API or a response that does not match
 * the shared schema throws (the segment's error.tsx shows it).
 */
export async function apiFetch<T>(
  path: `/api/${string}`,
  schema: ZodType<T>,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiResult<T>> {
  const cookie = (await headers()).get("cookie");
  const response = await fetch(`${internalBaseUrl()}${path}`, {
    method: init.method ?? "GET",
    cache: "no-store",
    headers: {
      accept: "application/json",
      ...(cookie ? { cookie } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) return { ok: false, error: await readApiError(response) };
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`Unexpected response from ${path}: ${parsed.error.message}`);
  return { ok: true, data: parsed.data };
}
