import "server-only";
import { ZLabLimits, type TLabLimits } from "@kubelab/shared";
import { apiFetch } from "./api-fetch";

// Until the redirect lands (401: the (lab) layout, rendered in parallel, is sending the browser to
// the login page) the page renders with these; they are never used for a real lab.
const LOGGED_OUT: TLabLimits = {
  terminalsPerNode: 1,
  uploadMaxBytes: 1,
  downloadMaxBytes: 1,
  portUrls: { publicUrl: "http://localhost/", labDomain: "localhost" },
};

/** The server's per-lab limits (MAX_TERMINALS_PER_NODE, UPLOAD_MAX_SIZE) for the lab page. */
export async function loadLimits(): Promise<TLabLimits> {
  const result = await apiFetch("/api/limits", ZLabLimits);
  if (result.ok) return result.data;
  if (result.error.status === 401) return LOGGED_OUT;
  throw result.error;
}
