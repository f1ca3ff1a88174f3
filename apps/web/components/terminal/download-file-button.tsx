"use client";

import { useId, useState } from "react";
import { DownloadIcon } from "@/components/ui/icons";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { useTerminalWorkspace } from "./terminal-workspace";

const POPOVER_ID = "download-file-popover";

/** "Download file" in the terminal toolbar: asks for a path in the shown terminal's node (default /root/). */
export function DownloadFileButton({ onDownload }: { onDownload: (node: string, path: string) => void }) {
  const { dict } = useI18n();
  const { tabs, activeKey } = useTerminalWorkspace();
  const node = (tabs.find((tab) => tab.key === activeKey) ?? tabs[0])?.node;
  const inputId = useId();
  const [path, setPath] = useState("/root/");
  if (!node) return null;
  return (
    <>
      <button
        type="button"
        className="icon-button"
        popoverTarget={POPOVER_ID}
        aria-label={formatMessage(dict.lesson.downloadFrom, { node })}
        title={formatMessage(dict.lesson.downloadFrom, { node })}
        data-testid="terminal-download"
      >
        <DownloadIcon />
      </button>
      <div id={POPOVER_ID} popover="auto" className="popover-form" data-testid="terminal-download-form">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const wanted = path.trim();
            if (!wanted) return;
            onDownload(node, wanted);
            event.currentTarget.closest<HTMLElement>("[popover]")?.hidePopover();
          }}
        >
          <label htmlFor={inputId}>{formatMessage(dict.lesson.downloadPathLabel, { node })}</label>
          <input
            id={inputId}
            type="text"
            value={path}
            onChange={(event) => setPath(event.target.value)}
            spellCheck={false}
            autoComplete="off"
            placeholder="/root/file.txt"
            data-testid="terminal-download-path"
          />
          <button type="submit" className="button button-primary" data-testid="terminal-download-submit">
            {dict.lesson.download}
          </button>
        </form>
      </div>
    </>
  );
}
