import { z } from "zod";
import { ZPortUrlBase } from "./ports";

/**
 * GET /api/limits: the server's per-lab limits the web app enforces before
 * asking (a disabled "new terminal" button, a refused oversized drop), so the
 * page follows MAX_TERMINALS_PER_NODE and UPLOAD_MAX_SIZE instead of a copy. Also what the lab page
 * needs to write port URLs for lesson variables.
 */
export const ZLabLimits = z.object({
  /** Terminals one node may run at once (MAX_TERMINALS_PER_NODE). */
  terminalsPerNode: z.number().int().positive(),
  /** Largest file one upload may carry, in bytes (UPLOAD_MAX_SIZE). */
  uploadMaxBytes: z.number().int().positive(),
  /** Largest file one download from a node may carry, in bytes (DOWNLOAD_MAX_SIZE). */
  downloadMaxBytes: z.number().int().positive(),
  /** What port URLs are made of (PUBLIC_URL, LAB_DOMAIN): lesson variables like {{node1.url.30001}}. */
  portUrls: ZPortUrlBase,
});
export type TLabLimits = z.infer<typeof ZLabLimits>;
