"use client";

import { useEffect, useState } from "react";
import { serverNow } from "@/lib/api/browser-api";

export { formatDuration } from "./format-duration";

/** The server's current time (ms), re-rendering every `intervalMs`. */
export function useServerNow(intervalMs = 1000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
