import { z } from "zod";
import {
  zBooleanFromString,
  zByteSize,
  zCommaList,
  zDuration,
  zIntFromString,
  zBaseUrl,
  zIpv4Cidr,
  zNumberFromString,
  zPoolSizes,
} from "./config-parsers";
import { zDockerEngines } from "./docker-engines-config";

// Every variable Kubelab reads, with its default. README.md's configuration
// table and .env.example list the same names; keep the three in step.
export const ZEnvironment = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: zIntFromString(1, 65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["error", "warn", "log", "debug", "verbose"]).default("log"),
  // "json": one JSON object per line (time, level, context, message, requestId) for log collectors.
  LOG_FORMAT: z.enum(["text", "json"]).default("text"),
  // Prometheus /metrics (docs/operations.md, Monitoring): with METRICS_TOKEN it is served on PORT to
  // `Authorization: Bearer <token>`; with METRICS_PORT on its own listener (METRICS_HOST) without a
  // token; with neither, nowhere (404).
  METRICS_TOKEN: z.string().min(16, "use at least 16 random characters").optional(),
  METRICS_PORT: zIntFromString(1, 65535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  // How long /api/ready trusts its last Docker ping, so load balancer probes do not hammer the engine.
  READY_CHECK_INTERVAL: zDuration.default(5),
  KUBELAB_DATA_DIR: z.string().min(1).default(".kubelab"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL")
    .optional(),
  EMBEDDED_POSTGRES_PORT: zIntFromString(1, 65535).default(54329),
  INSTANCE_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, "expected a short lowercase id (letters, digits, dashes)")
    .default("default"),
  NODE_IMAGE: z.string().min(1).default("kubelab/node-offline:latest"),
  NODE_IMAGES: zCommaList("kubelab/node-offline:latest,kubelab/node-centos:latest"),
  LESSONS_DIR: z.string().min(1).optional(),
  // A lesson whose image is not on the engine runs on NODE_IMAGE, with a notice, instead of failing.
  LESSON_IMAGE_FALLBACK: zBooleanFromString.default(true),
  NODE_SECURITY_PROFILE: z.enum(["auto", "privileged", "capabilities", "userns"]).default("auto"),
  NODE_MEMORY: zByteSize.default(2 * 1024 ** 3),
  NODE_CPUS: zNumberFromString(0.1, 64).default(1),
  // The most a lesson's front matter `resources` may get for one node (never below NODE_MEMORY/NODE_CPUS).
  NODE_MEMORY_MAX: zByteSize.default(4 * 1024 ** 3),
  NODE_CPUS_MAX: zNumberFromString(0.1, 64).default(2),
  NODE_PIDS_LIMIT: zIntFromString(64, 1_000_000).default(4096),
  NODE_READY_TIMEOUT: zDuration.default(90),
  // Where nodes may open connections: the Internet or nowhere; never the host or private ranges
  // (except those listed in NODE_EGRESS_ALLOW).
  NODE_EGRESS: z.enum(["internet", "none"]).default("internet"),
  NODE_EGRESS_ALLOW: zCommaList("").pipe(z.array(zIpv4Cidr)),
  // A Docker Hub mirror (pull-through cache) for every node's dockerd and containerd (docs/operations.md).
  NODE_REGISTRY_MIRROR: z
    .url({ protocol: /^https?$/, error: "expected an http:// or https:// URL, like http://10.0.0.5:5000" })
    .optional(),
  // Each session network gets one block of NODE_SUBNET_SIZE from these ranges (docs/operations.md, Capacity).
  NODE_SUBNETS: zCommaList("10.213.0.0/16"),
  NODE_SUBNET_SIZE: z
    .string()
    .regex(/^\/?(1[6-9]|2[0-9])$/, "expected a prefix length from /16 to /29, like /28")
    .default("/28")
    .transform((v) => Number(v.replace("/", ""))),
  NODE_DISK_LIMIT: zByteSize.default(10 * 1024 ** 3),
  NODE_DISK_CHECK_INTERVAL: zDuration.default(30),
  // CPU and memory of every node of live sessions are sampled this often (admin sessions page, meters).
  NODE_STATS_INTERVAL: zDuration.default(5),
  // Every Docker API call gives up after this long, so a wedged engine call never wedges a session.
  DOCKER_TIMEOUT: zDuration.default(30),
  // Several Docker hosts (docs/scale-out.md): name=url;options entries. Empty: DOCKER_HOST alone.
  DOCKER_ENGINES: zDockerEngines,
  // An engine silent this long loses its sessions (failed, engine_lost); until then they may recover.
  ENGINE_LOST_AFTER: zDuration.default(60),
  SESSION_DURATION: zDuration.default(2 * 3600),
  SESSION_MAX_DURATION: zDuration.default(4 * 3600),
  SESSION_EXTENSION: zDuration.default(30 * 60),
  SESSION_MAX_EXTENSIONS: zIntFromString(0, 100).default(3),
  MAX_SESSIONS: zIntFromString(1, 100_000).default(20),
  MAX_SESSIONS_PER_USER: zIntFromString(1, 1000).default(1),
  // Instructors and admins get MAX_SESSIONS_PER_USER unless these say otherwise.
  MAX_SESSIONS_PER_INSTRUCTOR: zIntFromString(1, 1000).optional(),
  MAX_SESSIONS_PER_ADMIN: zIntFromString(1, 1000).optional(),
  // Guests are free to create, so their sessions are also capped per client address.
  GUEST_SESSIONS_PER_ADDRESS: zIntFromString(1, 1000).default(2),
  REAPER_INTERVAL: zDuration.default(5),
  // The waiting queue (SessionQueue): creates beyond MAX_SESSIONS wait, at most MAX_QUEUE of them
  // (0: no queue, a full installation answers no_capacity at once); a queued place whose owner
  // stopped polling for QUEUE_HEARTBEAT (the lab page closed without saying so) is dropped. Twice
  // a minute: Chrome runs the timers of a tab hidden for 5 minutes only once a minute, and someone
  // waiting in another tab must not lose the place.
  MAX_QUEUE: zIntFromString(0, 100_000).default(100),
  QUEUE_HEARTBEAT: zDuration.default(120),
  // The warm pool: ready sessions kept for nobody, handed out at POST /api/sessions (SessionPool).
  POOL_SIZE: zIntFromString(0, 1000).default(1),
  POOL_SIZES: zPoolSizes,
  POOL_CONCURRENCY: zIntFromString(1, 100).default(1),
  POOL_MAX_AGE: zDuration.default(4 * 3600),
  // Classroom events: warm sessions one event may reserve at most (its default is its capacity).
  EVENT_MAX_RESERVED: zIntFromString(0, 1000).default(50),
  // The most attendees an instructor may ask for in one event.
  EVENT_MAX_CAPACITY: zIntFromString(1, 1000).default(1000),
  GUEST_LOGIN: z
    .enum(["auto", "true", "false"])
    .default("auto")
    .transform((v) => (v === "auto" ? "auto" : v === "true")),
  LOGIN_SESSION_LIFETIME: zDuration.default(12 * 3600),
  // A lunch break must not log a room of attendees out; a laptop left overnight should.
  LOGIN_IDLE_TIMEOUT: zDuration.default(4 * 3600),
  LOGIN_RATE_LIMIT: zIntFromString(1, 100_000).default(100),
  // Audit log entries older than this are removed daily; 0 keeps them forever (at least a day otherwise).
  AUDIT_RETENTION: z
    .string()
    .transform((raw) => (raw.trim() === "0" ? "0s" : raw))
    .pipe(zDuration)
    .refine((seconds) => seconds === 0 || seconds >= 24 * 3600, "expected 0 (keep forever) or at least 1d")
    .default(365 * 24 * 3600),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GITHUB_URL: zBaseUrl.default("https://github.com"),
  GITHUB_API_URL: zBaseUrl.default("https://api.github.com"),
  // Each id X is configured by OIDC_X_ISSUER, OIDC_X_CLIENT_ID, ... (see oidc-provider-config.ts).
  OIDC_PROVIDERS: zCommaList("").pipe(
    z.array(z.string().regex(/^[a-z][a-z0-9]{0,30}$/, "provider ids are lowercase letters and digits")),
  ),
  ADMINS: zCommaList("").pipe(
    z.array(z.string().regex(/^[a-z][a-z0-9]*:.+$/, 'expected "provider:id" or "provider:login"')),
  ),
  WEB_ENABLED: zBooleanFromString.default(true),
  UPLOAD_MAX_SIZE: zByteSize.default(50 * 1024 ** 2),
  DOWNLOAD_MAX_SIZE: zByteSize.default(50 * 1024 ** 2),
  TERMINAL_GRACE: zDuration.default(10 * 60),
  TERMINAL_REPLAY_BUFFER: zByteSize.default(2 * 1024 ** 2),
  TERMINAL_PING_INTERVAL: zDuration.default(25),
  MAX_TERMINALS_PER_NODE: zIntFromString(1, 100).default(8),
  // Hold each shell in its node (infra/terminal-holder) so that it outlives a restart of Kubelab.
  TERMINAL_HOLDER: zBooleanFromString.default(true),
  LAB_DOMAIN: z
    .string()
    .regex(/^(?=.{1,200}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "expected a DNS name")
    .default("localhost"),
  TRUSTED_PROXIES: zCommaList("").pipe(z.array(z.union([z.ipv4(), z.ipv6()]))),
  // haproxy: HAProxy (Debian's package) listens on PORT and carries allowed port requests (both forms)
  // itself, Kubelab behind it on a loopback port (docs/ports.md, "HAProxy as the data plane").
  PORT_DATA_PLANE: z.enum(["node", "haproxy"]).default("node"),
  // HAProxy's threads; unset: half the CPUs Kubelab may use, at least one (docs/ports.md, "Threads").
  HAPROXY_THREADS: zIntFromString(1, 64).optional(),
  SECRET_KEY: z.string().min(32, "use at least 32 random characters").optional(),
  KUBELAB_CONTAINER: z.string().min(1).optional(),
});
export type TEnvironment = z.infer<typeof ZEnvironment>;
