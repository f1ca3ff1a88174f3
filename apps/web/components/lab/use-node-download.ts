"use client";

import { useCallback } from "react";
import { useToast } from "@/components/ui/toast-provider";
import { ApiError } from "@/lib/api/api-error";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { downloadFromNode } from "@/lib/lab/download-file";
import { formatBytes } from "@/lib/ui/format-bytes";

/**
 * Downloads a file from a node of the session (lesson download links, the terminal's "Download
 * file"), with a toast while it comes and a worded refusal. `maxBytes`: DOWNLOAD_MAX_SIZE.
 */
export function useNodeDownload(sessionId: string | null, maxBytes: number): (node: string, path: string) => void {
  const { dict, locale } = useI18n();
  const toast = useToast();
  return useCallback(
    (node: string, path: string) => {
      if (!sessionId) {
        toast.show("info", dict.lab.labNotReady);
        return;
      }
      const names = { node, path };
      const id = toast.show("info", formatMessage(dict.lesson.downloading, names));
      downloadFromNode(sessionId, node, path)
        .then((name) =>
          toast.update(id, { kind: "success", message: formatMessage(dict.lesson.downloaded, { ...names, name }) }),
        )
        .catch((error: unknown) => {
          let message: string;
          if (error instanceof ApiError && error.status === 404 && error.code === "not_found") {
            message = formatMessage(dict.lesson.downloadMissing, names);
          } else if (error instanceof ApiError && error.status === 413) {
            message = formatMessage(dict.lesson.downloadTooLarge, { ...names, max: formatBytes(maxBytes, locale) });
          } else if (error instanceof ApiError && error.status === 400) {
            message = formatMessage(dict.lesson.downloadBadPath, names);
          } else {
            message = formatMessage(dict.lesson.downloadFailed, { ...names, message: apiErrorText(error, dict) });
          }
          toast.update(id, { kind: "error", message });
        });
    },
    [sessionId, maxBytes, dict, locale, toast],
  );
}
