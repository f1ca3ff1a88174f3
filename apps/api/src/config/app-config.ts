import os from "node:os";
import path from "node:path";
import { parseRanges } from "../sessions/subnet-blocks";
import { ConfigError } from "./config-error";
import type { EngineConfig } from "./docker-engines-config";
import { ZEnvironment, type TEnvironment } from "./config.schema";
import { loadOidcProviders, type OidcProviderConfig } from "./oidc-provider-config";

export { ConfigError };

export type NodeSecurityProfileSetting = TEnvironment["NODE_SECURITY_PROFILE"];

/** The typed configuration every service receives; built once at boot. */
export interface AppConfig {
  server: {
    host: string;
    port: number;
    publicUrl: URL;
    logLevel: TEnvironment["LOG_LEVEL"];
    logFormat: TEnvironment["LOG_FORMAT"];
    webEnabled: boolean;
    /** Seconds a Docker ping answers /api/ready before the next one. */
    readyCheckSeconds: number;
  };
  /** Prometheus /metrics: on PORT behind `token`, or on its own `port` (no token), or off. */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  dataDir: string;
  database: { url: string | undefined; embeddedPort: number };
  instanceId: string;
  lessonsDir: string;
  nodes: {
    image: string;
    /** Images lessons may ask for; anything else falls back to `image`. */
    allowedImages: string[];
    /** Run a lesson on `image` when the lesson's own image is not on the engine. */
    lessonImageFallback: boolean;
    securityProfile: NodeSecurityProfileSetting;
    memoryBytes: number;
    cpus: number;
    pidsLimit: number;
    readyTimeoutSeconds: number;
    uploadMaxBytes: number;
    /** Largest file one download from a node may carry (DOWNLOAD_MAX_SIZE). */
    downloadMaxBytes: number;
    /** Outbound traffic of nodes: "internet" or "none"; the host and private ranges are always closed. */
    egress: TEnvironment["NODE_EGRESS"];
    /** Private IPv4 networks (CIDR) nodes may reach despite the egress policy. */
    egressAllow: string[];
    /** NODE_REGISTRY_MIRROR: Docker Hub mirror given to every node (KUBELAB_REGISTRY_MIRROR); undefined: none. */
    registryMirror: string | undefined;
    diskLimitBytes: number;
    diskCheckIntervalSeconds: number;
    statsIntervalSeconds: number;
    /** NODE_SUBNETS: ranges session networks take their subnets from (checked: valid, disjoint). */
    subnetRanges: string[];
    /** NODE_SUBNET_SIZE: prefix length of each session network's subnet. */
    subnetPrefix: number;
  };
  docker: {
    callTimeoutSeconds: number;
    engines: EngineConfig[];
    engineLostAfterSeconds: number;
    engineCheckSeconds: number;
  };
  sessions: {
    durationSeconds: number;
    maxDurationSeconds: number;
    extensionSeconds: number;
    maxExtensions: number;
    maxTotal: number;
    maxPerUser: number;
    /** Concurrent sessions of guest users created from one client address. */
    maxGuestPerAddress: number;
    reaperIntervalSeconds: number;
    /** Creates waiting for a place under maxTotal at most (0: none wait; no_capacity at once). */
    maxQueue: number;
    /** A queued session whose owner has not asked about it for this long leaves the queue. */
    queueHeartbeatSeconds: number;
  };
  /** The warm pool's start-up settings; PoolSettings holds the live ones (the admin console edits them). */
  pool: {
    /** Pooled sessions to keep per image (NODE_IMAGE from POOL_SIZE, others from POOL_SIZES). */
    sizes: Record<string, number>;
    /** Pooled sessions being built at once, over all pools. */
    concurrency: number;
    /** A pooled session older than this is replaced. */
    maxAgeSeconds: number;
  };
  events: {
    /** Reserved (warm) sessions one event may have at most (EVENT_MAX_RESERVED). */
    maxReserved: number;
  };
  audit: {
    /** AUDIT_RETENTION: entries older than this are pruned daily; 0 keeps them forever. */
    retentionSeconds: number;
  };
  auth: {
    guestLogin: boolean;
    /** Absolute lifetime of a login. */
    loginSessionSeconds: number;
    /** A login unused this long ends. */
    idleTimeoutSeconds: number;
    /** Login attempts allowed per client address and minute. */
    rateLimitPerMinute: number;
    github: GithubLoginConfig | undefined;
    oidc: OidcProviderConfig[];
    /** "provider:id" or "provider:login" entries made admin at login. */
    admins: string[];
  };
  terminals: {
    graceSeconds: number;
    replayBytes: number;
    pingIntervalSeconds: number;
    maxPerNode: number;
    /** Hold each shell in its node (Kubelab's terminal holder) so that it survives a restart of Kubelab. */
    holder: boolean;
  };
  ports: {
    /** Port hosts are `<node>-<port>-<session>.<labDomain>`. */
    labDomain: string;
    /** Peers whose X-Forwarded-Host/Proto/For are believed. */
    trustedProxies: string[];
    /** Who carries allowed port requests: Kubelab's own fast path, or HAProxy in front of it. */
    dataPlane: "node" | "haproxy";
    /** HAProxy's threads (with dataPlane "haproxy"). */
    haproxyThreads: number;
  };
  /** Signs port tickets and cookies; unset: generated once and kept in `<dataDir>/secret-key`. */
  secretKey: string | undefined;
  /** Name or id of the container Kubelab runs in (docker-compose), joined to every session network. */
  kubelabContainer: string | undefined;
}

export interface GithubLoginConfig {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or a GitHub Enterprise server: authorize and token URLs hang off it. */
  webUrl: string;
  /** https://api.github.com, or https://<ghe>/api/v3. */
  apiUrl: string;
}

export const APP_CONFIG = Symbol("APP_CONFIG");

/** Validates the environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = ZEnvironment.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.SESSION_DURATION > e.SESSION_MAX_DURATION) {
    throw new ConfigError("Invalid configuration:\n  SESSION_DURATION: must not exceed SESSION_MAX_DURATION");
  }
  if (Boolean(e.GITHUB_CLIENT_ID) !== Boolean(e.GITHUB_CLIENT_SECRET)) {
    throw new ConfigError("Invalid configuration:\n  GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET: set both or neither");
  }
  const github =
    e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET
      ? {
          clientId: e.GITHUB_CLIENT_ID,
          clientSecret: e.GITHUB_CLIENT_SECRET,
          webUrl: e.GITHUB_URL,
          apiUrl: e.GITHUB_API_URL,
        }
      : undefined;
  try {
    parseRanges(e.NODE_SUBNETS, e.NODE_SUBNET_SIZE);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  NODE_SUBNETS: ${(error as Error).message}`);
  }
  if (e.METRICS_PORT === e.PORT) {
    throw new ConfigError(
      "Invalid configuration:\n  METRICS_PORT: must differ from PORT (it serves /metrics without a token; use METRICS_TOKEN to serve them on PORT)",
    );
  }
  const notAllowed = Object.keys(e.POOL_SIZES).filter(
    (image) => image !== e.NODE_IMAGE && !e.NODE_IMAGES.includes(image),
  );
  if (notAllowed.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n  POOL_SIZES: ${notAllowed.join(", ")} not in NODE_IMAGE or NODE_IMAGES, so no lesson could use it`,
    );
  }
  const oidc = loadOidcProviders(e.OIDC_PROVIDERS, present);
  // "auto": a laptop trial with no provider configured still lets people in.
  const guestLogin = e.GUEST_LOGIN === "auto" ? !github && oidc.length === 0 : e.GUEST_LOGIN;
  return {
    server: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`),
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT,
      webEnabled: e.WEB_ENABLED,
      readyCheckSeconds: e.READY_CHECK_INTERVAL,
    },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
    dataDir: path.resolve(e.KUBELAB_DATA_DIR),
    database: { url: e.DATABASE_URL, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    instanceId: e.INSTANCE_ID,
    // content/lessons of the repository, found from the compiled file (apps/api/dist/config).
    lessonsDir: path.resolve(e.LESSONS_DIR ?? path.join(__dirname, "../../../../content/lessons")),
    nodes: {
      image: e.NODE_IMAGE,
      allowedImages: [...new Set([e.NODE_IMAGE, ...e.NODE_IMAGES])],
      lessonImageFallback: e.LESSON_IMAGE_FALLBACK,
      securityProfile: e.NODE_SECURITY_PROFILE,
      memoryBytes: e.NODE_MEMORY,
      cpus: e.NODE_CPUS,
      pidsLimit: e.NODE_PIDS_LIMIT,
      readyTimeoutSeconds: e.NODE_READY_TIMEOUT,
      uploadMaxBytes: e.UPLOAD_MAX_SIZE,
      downloadMaxBytes: e.DOWNLOAD_MAX_SIZE,
      egress: e.NODE_EGRESS,
      egressAllow: e.NODE_EGRESS_ALLOW,
      registryMirror: e.NODE_REGISTRY_MIRROR,
      diskLimitBytes: e.NODE_DISK_LIMIT,
      diskCheckIntervalSeconds: e.NODE_DISK_CHECK_INTERVAL,
      statsIntervalSeconds: e.NODE_STATS_INTERVAL,
      subnetRanges: e.NODE_SUBNETS,
      subnetPrefix: e.NODE_SUBNET_SIZE,
    },
    docker: {
      callTimeoutSeconds: e.DOCKER_TIMEOUT,
      engines: e.DOCKER_ENGINES,
      engineLostAfterSeconds: e.ENGINE_LOST_AFTER,
      // Often enough that an engine is found silent well within ENGINE_LOST_AFTER.
      engineCheckSeconds: Math.min(5, Math.max(1, e.ENGINE_LOST_AFTER / 4)),
    },
    sessions: {
      durationSeconds: e.SESSION_DURATION,
      maxDurationSeconds: e.SESSION_MAX_DURATION,
      extensionSeconds: e.SESSION_EXTENSION,
      maxExtensions: e.SESSION_MAX_EXTENSIONS,
      maxTotal: e.MAX_SESSIONS,
      maxPerUser: e.MAX_SESSIONS_PER_USER,
      maxGuestPerAddress: e.GUEST_SESSIONS_PER_ADDRESS,
      reaperIntervalSeconds: e.REAPER_INTERVAL,
      maxQueue: e.MAX_QUEUE,
      queueHeartbeatSeconds: e.QUEUE_HEARTBEAT,
    },
    pool: {
      // POOL_SIZE is NODE_IMAGE's; POOL_SIZES may name NODE_IMAGE too, and then wins.
      sizes: { [e.NODE_IMAGE]: e.POOL_SIZE, ...e.POOL_SIZES },
      concurrency: e.POOL_CONCURRENCY,
      maxAgeSeconds: e.POOL_MAX_AGE,
    },
    events: { maxReserved: e.EVENT_MAX_RESERVED },
    audit: { retentionSeconds: e.AUDIT_RETENTION },
    auth: {
      guestLogin,
      loginSessionSeconds: e.LOGIN_SESSION_LIFETIME,
      idleTimeoutSeconds: e.LOGIN_IDLE_TIMEOUT,
      rateLimitPerMinute: e.LOGIN_RATE_LIMIT,
      github,
      oidc,
      admins: e.ADMINS,
    },
    terminals: {
      graceSeconds: e.TERMINAL_GRACE,
      replayBytes: e.TERMINAL_REPLAY_BUFFER,
      pingIntervalSeconds: e.TERMINAL_PING_INTERVAL,
      maxPerNode: e.MAX_TERMINALS_PER_NODE,
      holder: e.TERMINAL_HOLDER,
    },
    ports: {
      labDomain: e.LAB_DOMAIN,
      trustedProxies: e.TRUSTED_PROXIES,
      dataPlane: e.PORT_DATA_PLANE,
      // The lab's containers run the apps HAProxy carries requests to: they keep the other half.
      haproxyThreads: e.HAPROXY_THREADS ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
    },
    secretKey: e.SECRET_KEY,
    kubelabContainer: e.KUBELAB_CONTAINER,
  };
}
