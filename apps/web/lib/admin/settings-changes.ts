import type { TAdminSetting, TAdminSettingKey, TAdminSettingsUpdate } from "@kubelab/shared";

/** The console's groups of settings, in page order. */
export const SETTING_GROUPS: {
  id: "quotas" | "time" | "pool" | "events" | "nodes" | "images";
  keys: TAdminSettingKey[];
}[] = [
  {
    id: "quotas",
    keys: [
      "MAX_SESSIONS",
      "MAX_SESSIONS_PER_USER",
      "MAX_SESSIONS_PER_INSTRUCTOR",
      "MAX_SESSIONS_PER_ADMIN",
      "GUEST_SESSIONS_PER_ADDRESS",
    ],
  },
  { id: "time", keys: ["SESSION_DURATION", "SESSION_MAX_DURATION", "SESSION_EXTENSION", "SESSION_MAX_EXTENSIONS"] },
  { id: "pool", keys: ["POOL_SIZE", "POOL_SIZES"] },
  { id: "events", keys: ["EVENT_MAX_CAPACITY", "EVENT_MAX_RESERVED"] },
  { id: "nodes", keys: ["NODE_MEMORY", "NODE_CPUS", "NODE_MEMORY_MAX", "NODE_CPUS_MAX", "NODE_PIDS_LIMIT"] },
  { id: "images", keys: ["NODE_IMAGES"] },
];

/**
 * What the form sends: a value the admin edited (trimmed, lines joined by commas, different from the one in force), and
 * null for a console value the admin asked to drop. Untouched settings are left out, so saving one
 * field never pins the others to the console.
 */
export function settingsChanges(
  settings: readonly TAdminSetting[],
  drafts: Partial<Record<TAdminSettingKey, string>>,
  resets: ReadonlySet<TAdminSettingKey>,
): TAdminSettingsUpdate {
  const changes: Partial<Record<TAdminSettingKey, string | null>> = {};
  for (const setting of settings) {
    if (resets.has(setting.key)) {
      if (setting.source === "console") changes[setting.key] = null;
      continue;
    }
    // A list typed one entry per line is the same list, comma-separated.
    const draft = drafts[setting.key]
      ?.trim()
      .split(/\s*[\n,]\s*/)
      .filter(Boolean)
      .join(",");
    if (draft !== undefined && draft !== setting.value) changes[setting.key] = draft;
  }
  return changes;
}
