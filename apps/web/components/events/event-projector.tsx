"use client";

import type { TEvent } from "@kubelab/shared";
import Link from "next/link";
import { create } from "qrcode";
import { useEffect, useMemo, useState } from "react";
import { formatJoinCode } from "@/lib/events/join-code";
import { qrModulesPath } from "@/lib/events/event-form";
import { useI18n } from "@/lib/i18n/i18n-provider";

/** Margin around the code, in modules: the quiet zone scanners need. */
const QUIET_ZONE = 4;

/** What the room sees: the join address, the code large, and a QR code of the link. */
export function EventProjector({ event }: { event: TEvent }) {
  const { dict } = useI18n();
  const t = dict.events;
  // The address the attendees type is this page's own origin, known only in the browser.
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  const link = `${origin}${event.joinPath}`;
  const qr = useMemo(() => {
    if (!origin) return null;
    const { modules } = create(link, { errorCorrectionLevel: "M" });
    return { size: modules.size, path: qrModulesPath(modules.size, (r, c) => modules.get(r, c) === 1) };
  }, [link, origin]);

  return (
    <div className="projector" data-testid="projector">
      <h1>{event.title}</h1>
      <div className="projector-body">
        <div>
          <p className="projector-label">{t.projectorJoinAt}</p>
          <p className="projector-link" data-testid="projector-link">
            {/* Not "/join/…" for a moment: the room would copy a path without its host. */}
            {origin ? link : "\u00a0"}
          </p>
          <p className="projector-label">{t.projectorCodeLabel}</p>
          <p className="projector-code" data-testid="projector-code">
            {formatJoinCode(event.accessCode)}
          </p>
        </div>
        {qr ? (
          <svg
            className="projector-qr"
            data-testid="projector-qr"
            role="img"
            aria-label={t.projectorQr}
            viewBox={`${-QUIET_ZONE} ${-QUIET_ZONE} ${qr.size + 2 * QUIET_ZONE} ${qr.size + 2 * QUIET_ZONE}`}
            shapeRendering="crispEdges"
          >
            <rect
              x={-QUIET_ZONE}
              y={-QUIET_ZONE}
              width={qr.size + 2 * QUIET_ZONE}
              height={qr.size + 2 * QUIET_ZONE}
              fill="#fff"
            />
            <path d={qr.path} fill="#000" />
          </svg>
        ) : null}
      </div>
      <Link href="/events" className="button-quiet">
        {t.backToEvents}
      </Link>
    </div>
  );
}
