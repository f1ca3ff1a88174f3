"use client";

import { useEffect, useRef, useState } from "react";

/**
 * A user's picture from their login provider, or nothing at all when there is none or it does not
 * load (a classroom without internet, a blocked avatar host): never a broken-image icon.
 * A plain <img> on purpose: next/image would fetch the provider's host from the server.
 */
export function Avatar({ url, size = 24 }: { url: string | null; size?: number }) {
  const [failed, setFailed] = useState(false);
  const ref = useRef<HTMLImageElement>(null);
  useEffect(() => {
    // The server-rendered <img> may fail before React hydrates and attaches onError. A new URL
    // (another login in the same page) gets its own chance: nothing is rendered yet, so not failed.
    const img = ref.current;
    setFailed(img ? img.complete && img.naturalWidth === 0 : false);
  }, [url]);
  if (!url || failed || !/^https?:\/\//i.test(url)) return null;
  return (
    <img
      ref={ref}
      className="avatar"
      src={url}
      alt=""
      width={size}
      height={size}
      referrerPolicy="no-referrer"
      decoding="async"
      onError={() => setFailed(true)}
      data-testid="avatar"
    />
  );
}
