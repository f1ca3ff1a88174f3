import { ApiError, readApiError } from "../api/api-error";

/** The file name a download is saved as: the server's `filename*` (exact), its `filename`, or the path's last part. */
export function downloadName(disposition: string | null, path: string): string {
  const exact = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? "")?.[1];
  if (exact) {
    try {
      return decodeURIComponent(exact);
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="([^"]*)"/i.exec(disposition ?? "")?.[1];
  return plain || path.slice(path.lastIndexOf("/") + 1) || "download";
}

/**
 * Fetches a file from a node (GET /api/sessions/:id/nodes/:node/files?path=) and hands it to the
 * browser as a download. Fetched first rather than navigated to, so a refusal (no such file, too
 * large) is an ApiError the page can word instead of a broken download. Browser only.
 */
export async function downloadFromNode(sessionId: string, node: string, path: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(
      `/api/sessions/${encodeURIComponent(sessionId)}/nodes/${encodeURIComponent(node)}/files?path=${encodeURIComponent(path)}`,
      { credentials: "same-origin" },
    );
  } catch (error) {
    throw new ApiError(0, "network_error", error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await readApiError(response);
  const name = downloadName(response.headers.get("content-disposition"), path);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the blob once the download started; keep it a while for slow starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
