import { z } from "zod";

/**
 * GET /api/limits: the server's per-lab limits the web app enforces before
 * asking (a disabled "new terminal" button, a refused oversized drop), so the
 * page follows MAX_TERMINALS_PER_NODE and UPLOAD_MAX_SIZE instead of a copy.
 */
export const ZLabLimits = z.object({
  /** Terminals one node may run at once (MAX_TERMINALS_PER_NODE). */
  terminalsPerNode: z.number().int().positive(),
  /** Largest file one upload may carry, in bytes (UPLOAD_MAX_SIZE). */
  uploadMaxBytes: z.number().int().positive(),
});
export type TLabLimits = z.infer<typeof ZLabLimits>;
