import { z } from "zod";
import { ZUserRole } from "./auth";

export const ZAdminUser = z.object({
  id: z.string(),
  provider: z.string(),
  /** The provider's immutable id (GitHub numeric id, OIDC sub). */
  providerId: z.string(),
  name: z.string(),
  login: z.string().nullable(),
  email: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  role: ZUserRole,
  bannedAt: z.iso.datetime().nullable(),
  lastLoginAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  /** Lab sessions provisioning or running now. */
  activeSessions: z.number().int(),
  /** This user's own sessions-per-user quota (admin console); null: the role's. */
  maxSessions: z.number().int().nullable(),
});
export type TAdminUser = z.infer<typeof ZAdminUser>;

export const ZAdminUserList = z.object({
  users: z.array(ZAdminUser),
  /** Pass as ?cursor= for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type TAdminUserList = z.infer<typeof ZAdminUserList>;

export const ZAdminUserQuery = z.object({
  /** Matches name, login or email, case-insensitively. */
  q: z.string().trim().max(100).optional(),
  role: ZUserRole.optional(),
  banned: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

export const ZAdminUserUpdate = z
  .strictObject({
    role: ZUserRole.optional(),
    /** true bans (logins end, sessions end), false lifts the ban. */
    banned: z.boolean().optional(),
    /** Concurrent sessions this user may run instead of the role's quota; null removes the override. */
    maxSessions: z.number().int().min(1).max(1000).nullable().optional(),
  })
  .refine(
    (body) => body.role !== undefined || body.banned !== undefined || body.maxSessions !== undefined,
    "give role, banned, maxSessions, or several",
  );
export type TAdminUserUpdate = z.infer<typeof ZAdminUserUpdate>;
