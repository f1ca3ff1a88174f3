import { z } from "zod";

export const ZSessionStatus = z.enum(["provisioning", "ready", "failed", "ending", "ended"]);
export type TSessionStatus = z.infer<typeof ZSessionStatus>;

export const ZNodeStatus = z.enum(["creating", "running", "failed", "removed"]);
export type TNodeStatus = z.infer<typeof ZNodeStatus>;

// Node names double as hostnames and DNS labels in port URLs.
export const ZNodeName = z.string().regex(/^node[1-9]$/);

export const ZLessonId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lesson must be a lowercase id (letters, digits, dashes)");

export const ZCreateSessionRequest = z.strictObject({
  lesson: ZLessonId.optional(),
});
export type TCreateSessionRequest = z.infer<typeof ZCreateSessionRequest>;

export const ZExtendSessionRequest = z.strictObject({});

export const ZSessionNode = z.object({
  name: ZNodeName,
  status: ZNodeStatus,
  ip: z.string().nullable(),
});
export type TSessionNode = z.infer<typeof ZSessionNode>;

export const ZSession = z.object({
  id: z.string(),
  status: ZSessionStatus,
  // Why the session failed or ended (e.g. "expired", "deleted"); null while healthy.
  reason: z.string().nullable(),
  lesson: z.string().nullable(),
  /** The node image the session runs on. */
  image: z.string(),
  /**
   * The image its lesson asks for, when the session runs on another one because this Kubelab does
   * not offer it (NODE_IMAGES) or does not have it; null when the session runs on the lesson's image.
   */
  requestedImage: z.string().nullable(),
  createdAt: z.iso.datetime(),
  readyAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  extensions: z.number().int(),
  maxExtensions: z.number().int(),
  nodes: z.array(ZSessionNode),
});
export type TSession = z.infer<typeof ZSession>;

export const ZSessionList = z.object({ sessions: z.array(ZSession) });
export type TSessionList = z.infer<typeof ZSessionList>;
