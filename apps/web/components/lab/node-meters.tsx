"use client";

import { ZSessionUsage, type TNodeUsage, type TSessionUsage } from "@kubelab/shared";
import { useEffect, useState } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { formatBytes } from "@/lib/ui/format-bytes";

// The server samples every NODE_STATS_INTERVAL (5 s by default); asking more often shows nothing new.
const POLL_MS = 5_000;

type MeterKind = "memory" | "disk" | "processes";

/** What one meter shows: the use and limit of a node for that kind, or null when not known. */
function reading(node: TNodeUsage, kind: MeterKind): { used: number; limit: number } | null {
  const [used, limit] =
    kind === "memory"
      ? [node.memoryBytes, node.memoryLimitBytes]
      : kind === "disk"
        ? [node.diskBytes, node.diskLimitBytes]
        : [node.pids, node.pidsLimit];
  return used === null || limit === null || limit <= 0 ? null : { used, limit };
}

const WARNINGS = { memory: "memoryWarning", disk: "diskWarning", processes: "processesWarning" } as const;

/**
 * Each node's memory and disk against its limit, with a warning near either limit. The processes
 * meter shows only near NODE_PIDS_LIMIT: a few dozen processes of thousands tell nobody anything.
 */
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
  const meter = (node: TNodeUsage, kind: MeterKind) => {
    const value = reading(node, kind);
    if (!value) return null;
    const { used, limit } = value;
    const near = used >= limit * usage.warnShare;
    if (kind === "processes" && !near) return null;
    const amount = (n: number) => (kind === "processes" ? n.toLocaleString(locale) : size(n));
    const text = formatMessage(t[kind], { node: node.name, used: amount(used), limit: amount(limit) });
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
            {formatMessage(t[WARNINGS[kind]], { node: node.name })}
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
          {meter(node, "processes")}
        </div>
      ))}
    </section>
  );
}
