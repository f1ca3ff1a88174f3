import { z } from "zod";

export const ZGuestLoginRequest = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, "name must not be empty")
    .max(64, "name must be at most 64 characters")
    // Printable characters only: names show up in instructor views and logs.
    .regex(/^[^\p{C}]+$/u, "name must not contain control characters"),
});
export type TGuestLoginRequest = z.infer<typeof ZGuestLoginRequest>;

export const ZUserRole = z.enum(["attendee", "instructor", "admin"]);

export const ZMeResponse = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  role: ZUserRole,
});
export type TMeResponse = z.infer<typeof ZMeResponse>;
