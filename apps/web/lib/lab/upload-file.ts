import { z } from "zod";
import { ApiError } from "@/lib/api/api-error";

// Answer of PUT /api/sessions/:id/nodes/:node/files/:name (201).
const ZUploadedFile = z.object({ path: z.string(), size: z.number() });
export type TUploadedFile = z.infer<typeof ZUploadedFile>;

/**
 * Uploads one file into the node's /root. XMLHttpRequest rather than fetch:
 * fetch cannot report upload progress, and a 50 MiB file on a conference
 * Wi-Fi needs a progress bar.
 */
export function uploadFile(
  sessionId: string,
  node: string,
  file: File,
  onProgress: (percent: number) => void,
): Promise<TUploadedFile> {
  const url = `/api/sessions/${encodeURIComponent(sessionId)}/nodes/${encodeURIComponent(node)}/files/${encodeURIComponent(file.name)}`;
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    request.setRequestHeader("content-type", "application/octet-stream");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onerror = () => reject(new ApiError(0, "network_error", "the connection to the server was lost"));
    request.onload = () => {
      const body = parseJson(request.responseText);
      if (request.status >= 200 && request.status < 300) {
        const parsed = ZUploadedFile.safeParse(body);
        if (parsed.success) resolve(parsed.data);
        else reject(new ApiError(request.status, "bad_response", "unexpected answer from the server"));
        return;
      }
      const error = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(body);
      reject(
        error.success
          ? new ApiError(request.status, error.data.error.code, error.data.error.message)
          : new ApiError(request.status, "http_error", `HTTP ${request.status}`),
      );
    };
    request.send(file);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
