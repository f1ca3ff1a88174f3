import { ADMIN_SETTING_KEYS, type TAdminSettingKey, type TAdminSettingSource, type TUserRole } from "@kubelab/shared";
import { ZEnvironment } from "../config/config.schema";

/** The values consumers read (SettingsService.current()): the console's over the environment's. */
export interface EffectiveSettings {
  /** MAX_SESSIONS. */
  maxSessions: number;
  /** MAX_SESSIONS_PER_USER (attendees, guests), _PER_INSTRUCTOR, _PER_ADMIN. */
  maxSessionsPerRole: Record<TUserRole, number>;
  guestSessionsPerAddress: number;
  durationSeconds: number;
  maxDurationSeconds: number;
  extensionSeconds: number;
  maxExtensions: number;
  /** Pooled sessions per image: NODE_IMAGE's from POOL_SIZE, others from POOL_SIZES. */
  poolSizes: Record<string, number>;
  eventMaxCapacity: number;
  eventMaxReserved: number;
  nodeMemoryBytes: number;
  nodeCpus: number;
  /** What a lesson may ask for one node (front matter `resources`): at least nodeMemoryBytes/nodeCpus. */
  nodeMemoryMaxBytes: number;
  nodeCpusMax: number;
  nodePidsLimit: number;
  /** NODE_IMAGE and NODE_IMAGES: the images lessons may run on. */
  allowedImages: string[];
}

export interface SettingEntry {
  key: TAdminSettingKey;
  value: string;
  source: TAdminSettingSource;
  fallback: string;
}

export interface ResolvedSettings {
  effective: EffectiveSettings;
  entries: SettingEntry[];
  /** Console values that do not validate, by key (a 400 on PUT; ignored, with a warning, at load). */
  problems: { path: TAdminSettingKey; message: string }[];
}

type Parsed = Partial<Record<TAdminSettingKey, unknown>>;

/**
 * Merges the three sources of every console setting: a stored console value, else the environment
 * variable, else the schema's default; each parsed by the configuration's own parser
 * (config.schema.ts), so a value the environment would refuse is refused here too, naming the key.
 */
export function resolveSettings(
  environment: Record<string, string | undefined>,
  stored: Partial<Record<TAdminSettingKey, string>>,
  nodeImage: string,
): ResolvedSettings {
  const problems: ResolvedSettings["problems"] = [];
  const parsed: Parsed = {};
  const fallbacks: Parsed = {};
  const sources = {} as Record<TAdminSettingKey, TAdminSettingSource>;
  for (const key of ADMIN_SETTING_KEYS) {
    const fromEnv = present(environment[key]);
    const envValue = parse(key, fromEnv);
    fallbacks[key] = envValue.ok ? envValue.value : parse(key, undefined).value;
    sources[key] = fromEnv !== undefined && envValue.ok ? "environment" : "default";
    parsed[key] = fallbacks[key];
    const console = stored[key];
    if (console === undefined) continue;
    const result = parse(key, console);
    if (result.ok) {
      parsed[key] = result.value;
      sources[key] = "console";
    } else problems.push({ path: key, message: result.message });
  }
  const effective = toEffective(parsed, nodeImage);
  if (effective.durationSeconds > effective.maxDurationSeconds)
    problems.push({ path: "SESSION_DURATION", message: "must not exceed SESSION_MAX_DURATION" });
  const notAllowed = Object.keys(parsed.POOL_SIZES as Record<string, number>).filter(
    (image) => !effective.allowedImages.includes(image),
  );
  if (notAllowed.length > 0)
    problems.push({
      path: "POOL_SIZES",
      message: `${notAllowed.join(", ")} not in NODE_IMAGE or NODE_IMAGES, so no lesson could use it`,
    });
  const perUser = parsed.MAX_SESSIONS_PER_USER as number;
  const entries = ADMIN_SETTING_KEYS.map((key) => ({
    key,
    value: format(key, parsed[key] ?? perUser),
    source: sources[key],
    fallback: format(key, fallbacks[key] ?? perUser),
  }));
  return { effective, entries, problems };
}

function toEffective(p: Parsed, nodeImage: string): EffectiveSettings {
  const perUser = p.MAX_SESSIONS_PER_USER as number;
  return {
    maxSessions: p.MAX_SESSIONS as number,
    maxSessionsPerRole: {
      attendee: perUser,
      instructor: (p.MAX_SESSIONS_PER_INSTRUCTOR as number | undefined) ?? perUser,
      admin: (p.MAX_SESSIONS_PER_ADMIN as number | undefined) ?? perUser,
    },
    guestSessionsPerAddress: p.GUEST_SESSIONS_PER_ADDRESS as number,
    durationSeconds: p.SESSION_DURATION as number,
    maxDurationSeconds: p.SESSION_MAX_DURATION as number,
    extensionSeconds: p.SESSION_EXTENSION as number,
    maxExtensions: p.SESSION_MAX_EXTENSIONS as number,
    // As loadConfig does: POOL_SIZE is NODE_IMAGE's; POOL_SIZES may name NODE_IMAGE too, and then wins.
    poolSizes: { [nodeImage]: p.POOL_SIZE as number, ...(p.POOL_SIZES as Record<string, number>) },
    eventMaxCapacity: p.EVENT_MAX_CAPACITY as number,
    eventMaxReserved: p.EVENT_MAX_RESERVED as number,
    nodeMemoryBytes: p.NODE_MEMORY as number,
    nodeCpus: p.NODE_CPUS as number,
    nodeMemoryMaxBytes: Math.max(p.NODE_MEMORY_MAX as number, p.NODE_MEMORY as number),
    nodeCpusMax: Math.max(p.NODE_CPUS_MAX as number, p.NODE_CPUS as number),
    nodePidsLimit: p.NODE_PIDS_LIMIT as number,
    allowedImages: [...new Set([nodeImage, ...(p.NODE_IMAGES as string[])])],
  };
}

function present(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

type ParseResult = { ok: true; value: unknown } | { ok: false; value: undefined; message: string };

function parse(key: TAdminSettingKey, raw: string | undefined): ParseResult {
  const result = ZEnvironment.shape[key].safeParse(raw === undefined ? undefined : raw.trim());
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, value: undefined, message: result.error.issues.map((issue) => issue.message).join("; ") };
}

const DURATION_KEYS = new Set<TAdminSettingKey>(["SESSION_DURATION", "SESSION_MAX_DURATION", "SESSION_EXTENSION"]);

/** A parsed value written back the way the environment variable takes it ("2h", "2g", "a,b", "img=3"). */
export function format(key: TAdminSettingKey, value: unknown): string {
  if (DURATION_KEYS.has(key))
    return formatUnits(value as number, [
      ["d", 86400],
      ["h", 3600],
      ["m", 60],
      ["s", 1],
    ]);
  if (key === "NODE_MEMORY" || key === "NODE_MEMORY_MAX")
    return formatUnits(value as number, [
      ["g", 1024 ** 3],
      ["m", 1024 ** 2],
      ["k", 1024],
      ["", 1],
    ]);
  if (key === "NODE_IMAGES") return (value as string[]).join(",");
  if (key === "POOL_SIZES")
    return Object.entries(value as Record<string, number>)
      .map(([image, size]) => `${image}=${size}`)
      .join(",");
  return String(value);
}

function formatUnits(amount: number, units: [string, number][]): string {
  const [unit, size] = units.find(([, size]) => amount % size === 0 && amount >= size) ?? units.at(-1)!;
  return `${amount / size}${unit}`;
}
