import { z } from "zod";
import { ZSessionStatus } from "./sessions";

/**
 * One node's latest sample (NodeStatsSampler, every NODE_STATS_INTERVAL while sessions are live):
 * CPU and memory from the engine's container stats, disk from the disk monitor's last measure
 * (every NODE_DISK_CHECK_INTERVAL). Null where nothing was measured yet.
 */
export const ZNodeUsage = z.object({
  name: z.string(),
  status: z.string(),
  /** Share of one CPU over the last interval, in percent (200 = two CPUs busy). */
  cpuPercent: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  memoryLimitBytes: z.number(),
  diskBytes: z.number().nullable(),
  diskLimitBytes: z.number(),
  /** Processes and threads in the node, and NODE_PIDS_LIMIT as the engine applies it (null: unknown). */
  pids: z.number().int().nullable(),
  pidsLimit: z.number().int().nullable(),
  /** When the CPU/memory sample was taken. */
  sampledAt: z.iso.datetime().nullable(),
});
export type TNodeUsage = z.infer<typeof ZNodeUsage>;

/** GET /api/sessions/:id/usage: the owner's meters (memory and disk against each node's limit). */
export const ZSessionUsage = z.object({
  sessionId: z.string(),
  nodes: z.array(ZNodeUsage),
  /** Share of a limit at which the lab page warns. */
  warnShare: z.number(),
});
export type TSessionUsage = z.infer<typeof ZSessionUsage>;

export const ZAdminSession = z.object({
  id: z.string(),
  status: ZSessionStatus,
  owner: z.object({ id: z.string(), name: z.string(), login: z.string().nullable() }).nullable(),
  event: z.object({ id: z.string(), title: z.string() }).nullable(),
  lesson: z.string().nullable(),
  image: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  extensions: z.number().int(),
  nodes: z.array(ZNodeUsage),
});
export type TAdminSession = z.infer<typeof ZAdminSession>;

export const ZHostSummary = z.object({
  sessions: z.object({ pooled: z.number().int(), owned: z.number().int(), queued: z.number().int() }),
  /** Memory the nodes of live sessions use (sum of the samples) and the engine host's total. */
  nodeMemoryBytes: z.number(),
  hostMemoryBytes: z.number().nullable(),
  /** 1, 5 and 15 minute load averages of the API's host (the engine's, when it is local). */
  loadAverage: z.array(z.number()),
  cpus: z.number().int().nullable(),
  engineVersion: z.string().nullable(),
  dataRoot: z.string().nullable(),
  /** Free bytes of the filesystem holding the engine's data root; null when it cannot be read. */
  dataRootFreeBytes: z.number().nullable(),
  dataRootSizeBytes: z.number().nullable(),
  sampledAt: z.iso.datetime().nullable(),
});
export type THostSummary = z.infer<typeof ZHostSummary>;

export const ADMIN_SESSION_SORTS = ["age", "expires", "owner", "memory", "cpu", "status"] as const;

export const ZAdminSessionQuery = z.object({
  /** Matches the owner's name or login, the lesson, the event's title or the session id. */
  q: z.string().trim().max(100).optional(),
  status: ZSessionStatus.optional(),
  sort: z.enum(ADMIN_SESSION_SORTS).default("age"),
});
export type TAdminSessionQuery = z.infer<typeof ZAdminSessionQuery>;

export const ZAdminSessionList = z.object({
  sessions: z.array(ZAdminSession),
  host: ZHostSummary,
});
export type TAdminSessionList = z.infer<typeof ZAdminSessionList>;

/** POST /api/admin/sessions/:id/extend: by how long (default SESSION_EXTENSION). */
export const ZAdminExtendRequest = z.strictObject({
  minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
});
