import "server-only";
import { ZMeResponse, type TMeResponse } from "@kubelab/shared";
import { cache } from "react";
import { apiFetch } from "./api-fetch";

/** The logged-in user, or null. Cached per request: layouts and pages share one /api/me call. */
export const getCurrentUser = cache(async (): Promise<TMeResponse | null> => {
  const result = await apiFetch("/api/me", ZMeResponse);
  if (result.ok) return result.data;
  if (result.error.status === 401) return null;
  throw result.error;
});
