"use client";

import type { TPortEntry } from "@kubelab/shared";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useState } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { portUrl } from "@/lib/lab/port-url";
import { copyText } from "@/lib/ui/copy-text";
import { CopyIcon, ExternalIcon, GlobeIcon, LockIcon } from "@/components/ui/icons";

interface DetectedPortChipsProps {
  sessionId: string;
  ports: readonly TPortEntry[];
  setPublic: (node: string, port: number, isPublic: boolean) => Promise<TPortEntry>;
}

/**
 * The ports found listening in the session's nodes, each a link that opens it
 * through the port proxy in a new tab (the same URL the "Open port" form and
 * lesson port links use), with the owner's share switch and, once public, a
 * copy-link button. Public ports stay listed after their app stops, so the
 * owner can always make them private again. Nothing at all while the list is empty.
 */
export function DetectedPortChips({ sessionId, ports, setPublic }: DetectedPortChipsProps) {
  const { dict } = useI18n();
  if (ports.length === 0) return null;
  return (
    <ul className="port-chips" aria-label={dict.session.detectedPorts} data-testid="detected-ports">
      {ports.map((entry) => (
        <PortChip key={`${entry.node}:${entry.port}`} sessionId={sessionId} entry={entry} setPublic={setPublic} />
      ))}
    </ul>
  );
}

function PortChip({
  sessionId,
  entry,
  setPublic,
}: {
  sessionId: string;
  entry: TPortEntry;
  setPublic: DetectedPortChipsProps["setPublic"];
}) {
  const { dict } = useI18n();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const { node, port, public: isPublic, detected, service } = entry;
  const names = { node, port };

  async function toggle(): Promise<void> {
    setBusy(true);
    try {
      await setPublic(node, port, !isPublic);
    } catch (error) {
      toast.show(
        "error",
        formatMessage(dict.session.portVisibilityFailed, { ...names, message: apiErrorText(error, dict) }),
      );
    } finally {
      setBusy(false);
    }
  }

  async function copyLink(): Promise<void> {
    // The same path-form URL the chip opens, made absolute: it works without wildcard DNS.
    const copied = await copyText(new URL(portUrl(sessionId, node, port), window.location.href).href);
    if (copied) toast.show("success", formatMessage(dict.session.portLinkCopied, names));
    else toast.show("error", dict.lab.copyFailed);
  }

  return (
    <li
      className={detected ? "port-chip-group" : "port-chip-group port-chip-idle"}
      data-testid="port-chip-group"
      data-node={node}
      data-port={port}
      data-public={isPublic}
      data-detected={detected}
    >
      {/* A real link rather than window.open: middle-click, "copy link" and the status bar work. */}
      <a
        className="button button-small port-chip"
        href={portUrl(sessionId, node, port)}
        target="_blank"
        rel="noopener noreferrer"
        title={formatMessage(dict.lab.portLinkTitle, names)}
        data-testid="port-chip"
        data-node={node}
        data-port={port}
        data-public={isPublic}
      >
        <ExternalIcon />
        <code>{`${node}:${port}`}</code>
        {/* NodePorts are known by their Kubernetes service, which is what the lesson talks about. */}
        {service ? (
          <span className="port-chip-service" data-testid="port-chip-service">
            {service}
          </span>
        ) : null}
        {detected ? null : <span className="port-chip-service">{dict.session.portNotListening}</span>}
      </a>
      <button
        type="button"
        className={isPublic ? "button button-small port-share port-share-on" : "button button-small port-share"}
        aria-pressed={isPublic}
        disabled={busy}
        onClick={() => void toggle()}
        title={formatMessage(isPublic ? dict.session.portMakePrivateHint : dict.session.portMakePublicHint, names)}
        data-testid="port-share"
      >
        {isPublic ? <GlobeIcon /> : <LockIcon />}
        {isPublic ? dict.session.portMakePrivate : dict.session.portMakePublic}
      </button>
      {isPublic ? (
        <button
          type="button"
          className="button button-small port-share"
          onClick={() => void copyLink()}
          aria-label={formatMessage(dict.session.portCopyLink, names)}
          title={formatMessage(dict.session.portCopyLink, names)}
          data-testid="port-copy-link"
        >
          <CopyIcon />
        </button>
      ) : null}
    </li>
  );
}
