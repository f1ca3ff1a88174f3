"use client";

import { useId, useState, type FormEvent } from "react";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { isValidPort, portUrl } from "@/lib/lab/port-url";
import { ExternalIcon } from "@/components/ui/icons";

interface OpenPortPopoverProps {
  sessionId: string;
  node: string;
  /** Discovery is live and found nothing in this node: say so, so an empty bar is not a mystery. */
  noPortsDetected?: boolean;
}

/** "Open port" for one node: a small form in a native popover that opens the port-proxy URL in a new tab. */
export function OpenPortPopover({ sessionId, node, noPortsDetected = false }: OpenPortPopoverProps) {
  const { dict } = useI18n();
  const popoverId = `open-port-${node}`;
  const portId = useId();
  const pathId = useId();
  const [port, setPort] = useState("");
  const [path, setPath] = useState("/");
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const number = Number(port);
    if (!isValidPort(number)) {
      setError(dict.session.portInvalid);
      return;
    }
    setError(null);
    window.open(portUrl(sessionId, node, number, path || "/"), "_blank", "noopener,noreferrer");
    document.getElementById(popoverId)?.hidePopover();
  }

  return (
    <>
      <button
        type="button"
        className="button button-small"
        popoverTarget={popoverId}
        aria-label={formatMessage(dict.session.openPortOn, { node })}
        data-testid={`open-port-${node}`}
      >
        <ExternalIcon />
        {dict.session.openPort}
      </button>
      <div id={popoverId} popover="auto" className="popover-form">
        <form onSubmit={submit} noValidate>
          <p className="popover-title">{formatMessage(dict.session.openPortOn, { node })}</p>
          {noPortsDetected ? (
            <p className="popover-hint muted" data-testid={`open-port-none-${node}`}>
              {formatMessage(dict.session.noPortsDetected, { node })}
            </p>
          ) : null}
          <label htmlFor={portId}>{dict.session.portLabel}</label>
          <input
            id={portId}
            type="number"
            inputMode="numeric"
            min={1}
            max={65535}
            required
            value={port}
            onChange={(event) => setPort(event.target.value)}
            aria-invalid={error ? true : undefined}
            data-testid={`open-port-input-${node}`}
          />
          <label htmlFor={pathId}>{dict.session.pathLabel}</label>
          <input id={pathId} type="text" value={path} onChange={(event) => setPath(event.target.value)} />
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="button button-primary" data-testid={`open-port-submit-${node}`}>
            {dict.session.open}
          </button>
        </form>
      </div>
    </>
  );
}
