"use client";

import type { TPortEntry } from "@kubelab/shared";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { portUrl } from "@/lib/lab/port-url";
import { ExternalIcon } from "@/components/ui/icons";

/**
 * The ports found listening in the session's nodes, each a link that opens it
 * through the port proxy in a new tab (the same URL the "Open port" form and
 * lesson port links use). Nothing at all while none are detected.
 */
export function DetectedPortChips({ sessionId, ports }: { sessionId: string; ports: readonly TPortEntry[] }) {
  const { dict } = useI18n();
  if (ports.length === 0) return null;
  return (
    <ul className="port-chips" aria-label={dict.session.detectedPorts} data-testid="detected-ports">
      {ports.map(({ node, port, public: isPublic, service }) => (
        <li key={`${node}:${port}`}>
          {/* A real link rather than window.open: middle-click, "copy link" and the status bar work. */}
          <a
            className="button button-small port-chip"
            href={portUrl(sessionId, node, port)}
            target="_blank"
            rel="noopener noreferrer"
            title={formatMessage(dict.lab.portLinkTitle, { node, port })}
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
            {isPublic ? (
              <span className="badge port-chip-public" title={dict.session.portPublicHint}>
                {dict.session.portPublic}
              </span>
            ) : null}
          </a>
        </li>
      ))}
    </ul>
  );
}
