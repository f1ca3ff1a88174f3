"use client";

import { ENDABLE_SESSION_STATUSES, isSessionStatusIn, type TSession } from "@kubelab/shared";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { eventEndWarning } from "@/lib/events/event-end";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { formatDuration, useServerNow } from "@/lib/ui/use-now";
import { DetectedPortChips } from "./detected-port-chips";
import { EndSessionDialog } from "./end-session-dialog";
import { NodeMeters } from "./node-meters";
import { OpenPortPopover } from "./open-port-popover";
import { SessionNotices } from "./session-notices";
import type { DetectedPorts } from "./use-detected-ports";

const EXPIRING_SOON_MS = 5 * 60 * 1000;

interface SessionBarProps {
  session: TSession;
  ports: DetectedPorts;
  extend: () => Promise<TSession>;
  end: () => Promise<void>;
}

/** Status, time left, nodes with their IPs and ports, Extend and End for the running lab. */
export function SessionBar({ session, ports, extend, end }: SessionBarProps) {
  const { dict, locale } = useI18n();
  const toast = useToast();
  const router = useRouter();
  const now = useServerNow();
  const [extending, setExtending] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [ending, setEnding] = useState(false);

  const ready = session.status === "ready";
  const remaining = Date.parse(session.expiresAt) - now;
  // An event's end cannot be extended past: its own warning replaces "extend it".
  const eventWarning = ready && session.event ? eventEndWarning(Date.parse(session.event.endsAt), now) : null;
  const expiring = ready && remaining < EXPIRING_SOON_MS && !eventWarning;
  const extensionsLeft = Math.max(0, session.maxExtensions - session.extensions);

  async function onExtend(): Promise<void> {
    setExtending(true);
    try {
      const extended = await extend();
      const time = new Date(extended.expiresAt).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
      toast.show("success", formatMessage(dict.session.extended, { time }));
    } catch (error) {
      // extension_limit and session_not_active carry a message that says exactly why.
      toast.show("error", formatMessage(dict.session.extendFailed, { message: apiErrorText(error, dict) }));
    } finally {
      setExtending(false);
    }
  }

  async function onEnd(): Promise<void> {
    setEnding(true);
    try {
      await end();
      router.push("/");
    } catch (error) {
      toast.show("error", formatMessage(dict.session.endFailed, { message: apiErrorText(error, dict) }));
      setEnding(false);
      setConfirming(false);
    }
  }

  return (
    <section
      className="session-bar"
      aria-label={dict.session.sessionLabel}
      data-testid="session-bar"
      data-session-id={session.id}
      data-session-status={session.status}
      data-expiring={expiring}
      data-port-stream={ports.status}
    >
      <p className="session-state">
        <span className={`status-dot status-dot-session-${session.status}`} aria-hidden="true" />
        <span data-testid="session-status" data-status={session.status}>
          {dict.session.sessionStatus[session.status]}
        </span>
      </p>
      {ready ? (
        <p className={expiring ? "session-countdown session-countdown-warning" : "session-countdown"}>
          <span className="muted">{dict.session.timeLeft}: </span>
          <time role="timer" data-testid="session-countdown" dateTime={session.expiresAt}>
            {formatDuration(remaining)}
          </time>
        </p>
      ) : null}
      <ul className="session-nodes" aria-label={dict.session.nodes}>
        {session.nodes.map((node) => (
          <li key={node.name} className="session-node" data-testid={`node-${node.name}`} data-status={node.status}>
            <strong>{node.name}</strong>
            <span className={`node-status node-status-${node.status}`}>{dict.session.nodeStatus[node.status]}</span>
            {node.ip ? <code data-testid={`node-ip-${node.name}`}>{node.ip}</code> : null}
            {ready && node.status === "running" ? (
              <OpenPortPopover
                sessionId={session.id}
                node={node.name}
                noPortsDetected={ports.status === "live" && !ports.byNode.has(node.name)}
              />
            ) : null}
          </li>
        ))}
      </ul>
      <div className="session-actions">
        <button
          type="button"
          className="button button-small"
          onClick={() => void onExtend()}
          disabled={!ready || extending}
          title={
            extensionsLeft > 0
              ? formatMessage(dict.session.extensionsLeft, { left: extensionsLeft })
              : dict.session.noExtensionsLeft
          }
          data-testid="session-extend"
        >
          {extending ? dict.session.extending : dict.session.extend}
        </button>
        <button
          type="button"
          className="button button-small button-danger"
          onClick={() => setConfirming(true)}
          disabled={ending || !isSessionStatusIn(ENDABLE_SESSION_STATUSES, session.status)}
          data-testid="session-end"
        >
          {ending ? dict.session.ending : dict.session.end}
        </button>
      </div>
      {ready ? <DetectedPortChips sessionId={session.id} ports={ports.ports} setPublic={ports.setPublic} /> : null}
      {session.requestedImage && session.status !== "ended" ? (
        <p className="session-notice" role="status" data-testid="image-fallback-notice">
          {formatMessage(dict.session.imageFallback, { requested: session.requestedImage, image: session.image })}
        </p>
      ) : null}
      {session.status !== "ended" ? <SessionNotices notices={session.notices} /> : null}
      {ready ? <NodeMeters sessionId={session.id} /> : null}
      {eventWarning && session.event ? (
        <p className="session-warning" role="alert" data-testid="event-ending" data-warning={eventWarning}>
          {formatMessage(eventWarning === "one_minute" ? dict.session.eventEndsNow : dict.session.eventEndsSoon, {
            title: session.event.title,
            time: new Date(session.event.endsAt).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" }),
          })}
        </p>
      ) : null}
      {expiring ? (
        <p className="session-warning" role="alert" data-testid="session-expiring">
          {dict.session.expiringSoon}
        </p>
      ) : null}
      <EndSessionDialog
        open={confirming}
        busy={ending}
        onConfirm={() => void onEnd()}
        onCancel={() => {
          if (!ending) setConfirming(false);
        }}
      />
    </section>
  );
}
