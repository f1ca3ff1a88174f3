import { z } from "zod";

/** One Docker engine of DOCKER_ENGINES as GET /api/admin/engines shows it. */
export const ZAdminEngine = z.object({
  name: z.string(),
  /** Where it is, without credentials. */
  address: z.string(),
  /** up: answers; down: has not answered since `downSince` (its sessions fail after ENGINE_LOST_AFTER). */
  state: z.enum(["up", "down"]),
  downSince: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  /** Drained by an admin: no new sessions; its sessions run out. */
  draining: z.boolean(),
  /** Live sessions, and the node memory they were given. */
  sessions: z.number().int(),
  memoryBytes: z.number(),
  /** Its capacity: DOCKER_ENGINES sessions= and memory=; null: no limit. */
  maxSessions: z.number().int().nullable(),
  maxMemoryBytes: z.number().nullable(),
});
export type TAdminEngine = z.infer<typeof ZAdminEngine>;

export const ZAdminEngineList = z.object({
  engines: z.array(ZAdminEngine),
  /** ENGINE_LOST_AFTER in seconds. */
  lostAfterSeconds: z.number(),
});
export type TAdminEngineList = z.infer<typeof ZAdminEngineList>;

/** PUT /api/admin/engines/:name. */
export const ZAdminEngineUpdate = z.object({ draining: z.boolean() }).strict();
export type TAdminEngineUpdate = z.infer<typeof ZAdminEngineUpdate>;
