"use client";

import { ZSessionUsage, type TNodeUsage, type TSessionUsage } from "@kubelab/shared";
import { useEffect, useState } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { formatBytes } from "@/lib/ui/format-bytes";

// The server samples every NODE_STATS_INTERVAL (5 s by default); asking more often shows nothing new.
const POLL_MS = 5_000;

/** Each node's memory and disk against its limit, with a warning near either limit. */
export function NodeMeters({ sessionId }: { sessionId: string }) {
  const { dict, locale } = useI18n();
  const t = dict.labMeters;
  const [usage, setUsage] = useState<TSessionUsage | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    const poll = () =>
      apiRequest("GET", `/api/sessions/${sessionId}/usage`, ZSessionUsage, { signal: abort.signal })
        .then(setUsage)
        .catch(() => undefined); // a missed reading only leaves the last one shown
    void poll();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void poll();
    }, POLL_MS);
    return () => {
      clearInterval(timer);
      abort.abort();
    };
  }, [sessionId]);

  if (!usage) return null;
  const size = (bytes: number) => formatBytes(bytes, locale);
  const meter = (node: TNodeUsage, kind: "memory" | "disk") => {
    const used = kind === "memory" ? node.memoryBytes : node.diskBytes;
    const limit = kind === "memory" ? node.memoryLimitBytes : node.diskLimitBytes;
    if (used === null || limit <= 0) return null;
    const near = used >= limit * usage.warnShare;
    const text = formatMessage(t[kind], { node: node.name, used: size(used), limit: size(limit) });
    return (
      <div
        className={near ? "node-meter node-meter-near" : "node-meter"}
        data-testid="node-meter"
        data-node={node.name}
        data-kind={kind}
        data-used={used}
        data-near={near ? "true" : "false"}
      >
        <meter min={0} max={limit} value={Math.min(used, limit)} high={limit * usage.warnShare} aria-label={text} />
        <span>{text}</span>
        {near ? (
          <span className="session-warning" role="alert" data-testid="node-meter-warning">
            {formatMessage(kind === "memory" ? t.memoryWarning : t.diskWarning, { node: node.name })}
          </span>
        ) : null}
      </div>
    );
  };
  return (
    <section className="node-meters" aria-label={t.label} data-testid="node-meters">
      {usage.nodes.map((node) => (
        <div key={node.name} className="node-meters-node">
          {meter(node, "memory")}
          {meter(node, "disk")}
        </div>
      ))}
    </section>
  );
}
