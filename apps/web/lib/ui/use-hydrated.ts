"use client";

import { useSyncExternalStore } from "react";

const never = () => () => undefined;

/**
 * False in the server's HTML and until React has hydrated the component, then true. A form's
 * submit button stays disabled until then: clicked earlier (a slow device, a loaded host), the
 * browser would submit the form natively, a GET that puts the typed values in the URL.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    never,
    () => true,
    () => false,
  );
}
