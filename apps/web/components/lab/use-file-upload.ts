"use client";

import { useCallback } from "react";
import { apiErrorText } from "@/lib/i18n/api-error-text";
import { useToast } from "@/components/ui/toast-provider";
import type { DroppedFile } from "@/components/terminal/terminal-view";
import { formatMessage } from "@/lib/i18n/format-message";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { uploadFile } from "@/lib/lab/upload-file";
import { formatBytes } from "@/lib/ui/format-bytes";

/**
 * Uploads files dropped on a terminal into that node's /root, one at a time, with a progress toast each.
 * Files over `maxBytes` (the server's UPLOAD_MAX_SIZE, from GET /api/limits) are refused before sending.
 */
export function useFileUpload(sessionId: string, maxBytes: number): (node: string, files: DroppedFile[]) => void {
  const { dict, locale } = useI18n();
  const toast = useToast();

  const uploadOne = useCallback(
    async (node: string, { file, isDirectory }: DroppedFile): Promise<void> => {
      const names = { file: file.name, node };
      if (isDirectory) {
        toast.show("error", formatMessage(dict.terminal.uploadFolder, names));
        return;
      }
      if (file.size > maxBytes) {
        toast.show(
          "error",
          formatMessage(dict.terminal.uploadTooLarge, { ...names, max: formatBytes(maxBytes, locale) }),
        );
        return;
      }
      const id = toast.show("info", formatMessage(dict.terminal.uploading, { ...names, percent: 0 }), { progress: 0 });
      try {
        const uploaded = await uploadFile(sessionId, node, file, (percent) =>
          toast.update(id, {
            message: formatMessage(dict.terminal.uploading, { ...names, percent }),
            progress: percent,
          }),
        );
        toast.update(id, {
          kind: "success",
          message: formatMessage(dict.terminal.uploaded, { ...names, path: uploaded.path }),
          progress: undefined,
        });
      } catch (error) {
        const message = apiErrorText(error, dict);
        toast.update(id, {
          kind: "error",
          message: formatMessage(dict.terminal.uploadFailed, { ...names, message }),
          progress: undefined,
        });
      }
    },
    [dict, locale, maxBytes, sessionId, toast],
  );

  return useCallback(
    (node: string, files: DroppedFile[]) => {
      void (async () => {
        for (const dropped of files) await uploadOne(node, dropped);
      })();
    },
    [uploadOne],
  );
}
