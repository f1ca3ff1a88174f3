import { z } from "zod";

/**
 * The settings the admin console changes at run time (GET/PUT /api/admin/settings). Each is the
 * environment variable of the same name (README's configuration table), written the same way
 * ("2h", "512m", "a,b", "image=3"); a console value beats the environment's until it is cleared.
 */
export const ADMIN_SETTING_KEYS = [
  "MAX_SESSIONS",
  "MAX_SESSIONS_PER_USER",
  "MAX_SESSIONS_PER_INSTRUCTOR",
  "MAX_SESSIONS_PER_ADMIN",
  "GUEST_SESSIONS_PER_ADDRESS",
  "SESSION_DURATION",
  "SESSION_MAX_DURATION",
  "SESSION_EXTENSION",
  "SESSION_MAX_EXTENSIONS",
  "POOL_SIZE",
  "POOL_SIZES",
  "EVENT_MAX_CAPACITY",
  "EVENT_MAX_RESERVED",
  "NODE_MEMORY",
  "NODE_CPUS",
  "NODE_MEMORY_MAX",
  "NODE_CPUS_MAX",
  "NODE_PIDS_LIMIT",
  "NODE_IMAGES",
] as const;
export const ZAdminSettingKey = z.enum(ADMIN_SETTING_KEYS);
export type TAdminSettingKey = z.infer<typeof ZAdminSettingKey>;

/** Where a setting's value comes from. */
export const ZAdminSettingSource = z.enum(["default", "environment", "console"]);
export type TAdminSettingSource = z.infer<typeof ZAdminSettingSource>;

export const ZAdminSetting = z.object({
  key: ZAdminSettingKey,
  /** The value in force, written as the environment variable takes it. */
  value: z.string(),
  source: ZAdminSettingSource,
  /** What clearing the console value returns to (the environment's value, or the default). */
  fallback: z.string(),
  /** When and by whom the console value was set; null unless source is "console". */
  updatedAt: z.iso.datetime().nullable(),
  updatedBy: z.string().nullable(),
});
export type TAdminSetting = z.infer<typeof ZAdminSetting>;

export const ZAdminSettings = z.object({ settings: z.array(ZAdminSetting) });
export type TAdminSettings = z.infer<typeof ZAdminSettings>;

/**
 * PUT body: the keys to change; a string sets the console value (validated like the environment
 * variable: 400 bad_request naming the key), null clears it (back to the environment or default).
 */
export const ZAdminSettingsUpdate = z
  .strictObject(
    Object.fromEntries(ADMIN_SETTING_KEYS.map((key) => [key, z.string().max(2000).nullable().optional()])) as Record<
      TAdminSettingKey,
      z.ZodOptional<z.ZodNullable<z.ZodString>>
    >,
  )
  .refine((body) => Object.values(body).some((v) => v !== undefined), "give at least one setting");
export type TAdminSettingsUpdate = z.infer<typeof ZAdminSettingsUpdate>;
